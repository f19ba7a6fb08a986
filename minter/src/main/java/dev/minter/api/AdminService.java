package dev.minter.api;

import dev.minter.attest.WorkloadIdentity;
import dev.minter.audit.AuditEvent;
import dev.minter.audit.AuditLog;
import dev.minter.policy.PolicyEngine;
import dev.minter.proto.v1.AgentInfo;
import dev.minter.proto.v1.AgentReportRequest;
import dev.minter.proto.v1.AgentReportResponse;
import dev.minter.proto.v1.AuditRecord;
import dev.minter.proto.v1.ExplainPolicyRequest;
import dev.minter.proto.v1.ExplainPolicyResponse;
import dev.minter.proto.v1.GetAgentRequest;
import dev.minter.proto.v1.GetTaskRequest;
import dev.minter.proto.v1.ListAgentsRequest;
import dev.minter.proto.v1.ListAgentsResponse;
import dev.minter.proto.v1.ListTasksRequest;
import dev.minter.proto.v1.ListTasksResponse;
import dev.minter.proto.v1.MinterAdminGrpc;
import dev.minter.proto.v1.QueryAuditRequest;
import dev.minter.proto.v1.RegisterAgentRequest;
import dev.minter.proto.v1.RevokeEvent;
import dev.minter.proto.v1.RevokeRequest;
import dev.minter.proto.v1.SetAgentStateRequest;
import dev.minter.proto.v1.SetAgentStateResponse;
import dev.minter.proto.v1.TaskInfo;
import dev.minter.proto.v1.VerifyAuditRequest;
import dev.minter.proto.v1.VerifyAuditResponse;
import dev.minter.proto.v1.RevokeTaskRequest;
import dev.minter.proto.v1.RevokeTaskResponse;
import dev.minter.task.TaskException;
import dev.minter.task.TaskService;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The operators' gRPC service. Admitted only for identities the policy lists as {@code admins}; every admitted call
 * is audited ({@code admin.call}) before it runs, every refused one as {@code policy.deny}. The RPCs are thin: each
 * area's work lives in its own class.
 */
public final class AdminService extends MinterAdminGrpc.MinterAdminImplBase {
  private final TaskService tasks;
  private final Supplier<PolicyEngine> policy;
  private final AuditLog audit;
  private final AdminAgents agents;

  public AdminService(TaskService tasks, Supplier<PolicyEngine> policy, AuditLog audit, AdminAgents agents) {
    this.tasks = tasks;
    this.policy = policy;
    this.audit = audit;
    this.agents = agents;
  }

  @Override
  public void revokeTask(RevokeTaskRequest request, StreamObserver<RevokeTaskResponse> response) {
    Calls.unary(
        response,
        () -> {
          WorkloadIdentity operator = admitted("RevokeTask", request.getTaskId());
          return RevokeTaskResponse.newBuilder()
              .setReceipt(ProtoMapper.toProto(tasks.revoke(operator, request.getTaskId(), request.getReason())))
              .build();
        });
  }

  // ---- tasks: ListTasks, GetTask, Revoke (by selector) ---------------------------------------------------------

  /** A small stateless helper, made per call so this region needs no constructor change. */
  private AdminTasks taskAdmin() {
    return new AdminTasks(tasks, this::admitted);
  }

  @Override
  public void listTasks(ListTasksRequest request, StreamObserver<ListTasksResponse> response) {
    Calls.unary(response, () -> taskAdmin().list(request));
  }

  @Override
  public void getTask(GetTaskRequest request, StreamObserver<TaskInfo> response) {
    Calls.unary(response, () -> taskAdmin().get(request));
  }

  @Override
  public void revoke(RevokeRequest request, StreamObserver<RevokeEvent> response) {
    taskAdmin().revoke(request, response);
  }


  // ---- agents: ListAgents, GetAgent, RegisterAgent, SetAgentState, AgentReport -----------------------------------

  @Override
  public void listAgents(ListAgentsRequest request, StreamObserver<ListAgentsResponse> response) {
    Calls.unary(response, () -> {
      admitted("ListAgents", request.getIdentity());
      return agents.list(request);
    });
  }

  @Override
  public void getAgent(GetAgentRequest request, StreamObserver<AgentInfo> response) {
    Calls.unary(response, () -> {
      admitted("GetAgent", request.getIdentity());
      return agents.get(request.getIdentity());
    });
  }

  @Override
  public void registerAgent(RegisterAgentRequest request, StreamObserver<AgentInfo> response) {
    Calls.unary(response, () -> agents.register(admitted("RegisterAgent", request.getIdentity()), request));
  }

  @Override
  public void setAgentState(SetAgentStateRequest request, StreamObserver<SetAgentStateResponse> response) {
    Calls.unary(response, () -> agents.setState(admitted("SetAgentState", request.getIdentity()), request));
  }

  @Override
  public void agentReport(AgentReportRequest request, StreamObserver<AgentReportResponse> response) {
    Calls.unary(response, () -> {
      admitted("AgentReport", "");
      return agents.report(request);
    });
  }


  // ---- audit and policy: QueryAudit, VerifyAudit, ExplainPolicy ---------------------------------------------------

  private volatile AuditAdmin auditAdmin;

  /**
   * Serves QueryAudit and VerifyAudit from {@code auditFile} (the server's own log; called once by MinterServer's
   * builder before the server starts). Without it those RPCs answer FAILED_PRECONDITION.
   */
  public AdminService withAuditFile(Path auditFile) {
    this.auditAdmin = new AuditAdmin(auditFile, Duration.ofMillis(200));
    return this;
  }

  @Override
  public void queryAudit(QueryAuditRequest request, StreamObserver<AuditRecord> response) {
    String requestId = Caller.requestId();
    ServerCallStreamObserver<AuditRecord> out = (ServerCallStreamObserver<AuditRecord>) response;
    out.setOnCancelHandler(() -> {}); // a cancelled tail just stops: the loop watches isCancelled()
    try {
      admitted("QueryAudit", auditSubject(request));
      audits().query(request, out);
    } catch (RuntimeException | Error e) {
      if (!out.isCancelled()) {
        out.onError(StatusMapper.toStatus(e, requestId));
      }
      return;
    }
    if (!out.isCancelled()) {
      out.onCompleted();
    }
  }

  @Override
  public void verifyAudit(VerifyAuditRequest request, StreamObserver<VerifyAuditResponse> response) {
    Calls.unary(response, () -> {
      admitted("VerifyAudit", "");
      return audits().verify();
    });
  }

  @Override
  public void explainPolicy(ExplainPolicyRequest request, StreamObserver<ExplainPolicyResponse> response) {
    Calls.unary(response, () -> {
      admitted("ExplainPolicy", request.getIdentity());
      return PolicyExplain.explain(policy.get(), request);
    });
  }

  private AuditAdmin audits() {
    AuditAdmin a = auditAdmin;
    if (a == null) {
      throw new TaskException(TaskException.Kind.NOT_OPEN, "this server was started without an audit file to read");
    }
    return a;
  }

  private static String auditSubject(QueryAuditRequest r) {
    return "event=" + r.getEvent() + " identity=" + r.getIdentity() + " task=" + r.getTaskId()
        + (r.getFollow() ? " follow" : "");
  }

  // ---- admission ------------------------------------------------------------------------------------------------

  /**
   * The caller, if it is an admin; otherwise PERMISSION_DENIED and a {@code policy.deny} record. An admitted call is
   * audited as {@code admin.call} with the method and what it is about ({@code subject}, e.g. a task id or selector).
   */
  WorkloadIdentity admitted(String method, String subject) {
    WorkloadIdentity caller = Caller.identity();
    String fullMethod = "minter.v1.MinterAdmin/" + method;
    if (!policy.get().isAdmin(caller)) {
      String reason = caller.id() + " is not an admin (see the policy file's admins)";
      audit.append(
          AuditEvent.of("policy.deny")
              .identity(caller.id())
              .attestor(caller.attestorKind())
              .rule("admins")
              .decision("deny")
              .reason(reason)
              .put("method", fullMethod)
              .put("subject", subject == null || subject.isEmpty() ? null : subject)
              .requestId(Caller.requestId())
              .build());
      throw new TaskException(TaskException.Kind.DENIED, reason);
    }
    audit.append(
        AuditEvent.of("admin.call")
            .identity(caller.id())
            .attestor(caller.attestorKind())
            .decision("allow")
            .put("method", fullMethod)
            .put("subject", subject == null || subject.isEmpty() ? null : subject)
            .requestId(Caller.requestId())
            .build());
    return caller;
  }
}
