package dev.minter.api;

import dev.minter.attest.NonceStore;
import dev.minter.proto.v1.BeginTaskRequest;
import dev.minter.proto.v1.DelegateRequest;
import dev.minter.proto.v1.DelegateResponse;
import dev.minter.task.Delegator;
import dev.minter.proto.v1.IssueNonceRequest;
import dev.minter.proto.v1.IssueNonceResponse;
import io.grpc.Status;
import dev.minter.proto.v1.BeginTaskResponse;
import dev.minter.proto.v1.CompleteTaskRequest;
import dev.minter.proto.v1.CompleteTaskResponse;
import dev.minter.proto.v1.MintCredentialRequest;
import dev.minter.proto.v1.MintCredentialResponse;
import dev.minter.proto.v1.MinterGrpc;
import dev.minter.task.TaskService;
import io.grpc.stub.StreamObserver;

/** The agent-facing gRPC service: thin, maps the wire to {@link TaskService} and back. */
public final class MinterService extends MinterGrpc.MinterImplBase {
  private final TaskService tasks;
  private final NonceStore nonces;
  private final Delegator delegator;

  public MinterService(TaskService tasks, NonceStore nonces) {
    this(tasks, nonces, null);
  }

  /** @param delegator serves {@code Delegate}; null answers UNIMPLEMENTED */
  public MinterService(TaskService tasks, NonceStore nonces, Delegator delegator) {
    this.tasks = tasks;
    this.nonces = nonces;
    this.delegator = delegator;
  }

  @Override
  public void delegate(DelegateRequest request, StreamObserver<DelegateResponse> response) {
    if (delegator == null) {
      super.delegate(request, response);
      return;
    }
    Calls.unary(
        response,
        () -> ProtoMapper.toProto(delegator.delegate(Caller.identity(), ProtoMapper.toCommand(request))));
  }

  @Override
  public void issueNonce(IssueNonceRequest request, StreamObserver<IssueNonceResponse> response) {
    Calls.unary(
        response,
        () -> {
          NonceStore.Issued issued =
              nonces
                  .issue()
                  .orElseThrow(() -> Status.RESOURCE_EXHAUSTED
                      .withDescription("too many outstanding nonces; retry shortly")
                      .asRuntimeException());
          return IssueNonceResponse.newBuilder()
              .setNonce(issued.nonce())
              .setExpiresAt(ProtoMapper.toTimestamp(issued.expiresAt()))
              .build();
        });
  }

  @Override
  public void beginTask(BeginTaskRequest request, StreamObserver<BeginTaskResponse> response) {
    Calls.unary(response, () -> ProtoMapper.toProto(tasks.begin(Caller.identity(), ProtoMapper.toCommand(request))));
  }

  @Override
  public void mintCredential(MintCredentialRequest request, StreamObserver<MintCredentialResponse> response) {
    Calls.unary(
        response,
        () ->
            ProtoMapper.toProto(
                tasks.mint(Caller.identity(), request.getTaskId(), request.getRole(), request.getParametersMap())));
  }

  @Override
  public void completeTask(CompleteTaskRequest request, StreamObserver<CompleteTaskResponse> response) {
    Calls.unary(
        response,
        () ->
            CompleteTaskResponse.newBuilder()
                .setReceipt(ProtoMapper.toProto(tasks.complete(Caller.identity(), request.getTaskId())))
                .build());
  }
}
