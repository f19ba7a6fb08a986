package dev.minter.api;

import dev.minter.attest.WorkloadIdentity;
import dev.minter.audit.AuditEvent;
import dev.minter.audit.AuditLog;
import dev.minter.policy.PolicyEngine;
import dev.minter.proto.v1.GetTaskRequest;
import dev.minter.proto.v1.ListTasksRequest;
import dev.minter.proto.v1.ListTasksResponse;
import dev.minter.proto.v1.MinterAdminGrpc;
import dev.minter.proto.v1.RevokeEvent;
import dev.minter.proto.v1.RevokeRequest;
import dev.minter.proto.v1.TaskInfo;
import dev.minter.proto.v1.RevokeTaskRequest;
import dev.minter.proto.v1.RevokeTaskResponse;
import dev.minter.task.TaskException;
import dev.minter.task.TaskService;
import io.grpc.stub.StreamObserver;
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

  public AdminService(TaskService tasks, Supplier<PolicyEngine> policy, AuditLog audit) {
    this.tasks = tasks;
    this.policy = policy;
    this.audit = audit;
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



  // ---- audit and policy: QueryAudit, VerifyAudit, ExplainPolicy ---------------------------------------------------



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
