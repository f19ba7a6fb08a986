package dev.minter.api;

import dev.minter.attest.WorkloadIdentity;
import dev.minter.audit.AuditEvent;
import dev.minter.audit.AuditLog;
import dev.minter.policy.PolicyEngine;
import dev.minter.proto.v1.MinterAdminGrpc;
import dev.minter.proto.v1.RevokeTaskRequest;
import dev.minter.proto.v1.RevokeTaskResponse;
import dev.minter.task.TaskException;
import dev.minter.task.TaskService;
import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;

/** The operators' gRPC service. Admitted only for identities the policy lists as {@code admins}. */
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
          WorkloadIdentity operator = admitted("MinterAdmin/RevokeTask", request.getTaskId());
          return RevokeTaskResponse.newBuilder()
              .setReceipt(ProtoMapper.toProto(tasks.revoke(operator, request.getTaskId(), request.getReason())))
              .build();
        });
  }

  private WorkloadIdentity admitted(String method, String taskId) {
    WorkloadIdentity caller = Caller.identity();
    if (!policy.get().isAdmin(caller)) {
      String reason = caller.id() + " is not an admin (see the policy file's admins)";
      audit.append(
          AuditEvent.of("policy.deny")
              .identity(caller.id())
              .attestor(caller.attestorKind())
              .task(taskId.isEmpty() ? null : taskId)
              .rule("admins")
              .decision("deny")
              .reason(reason)
              .put("method", method)
              .requestId(Caller.requestId())
              .build());
      throw new TaskException(TaskException.Kind.DENIED, reason);
    }
    return caller;
  }
}
