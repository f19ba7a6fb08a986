package dev.minter.api;

import dev.minter.proto.v1.BeginTaskRequest;
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

  public MinterService(TaskService tasks) {
    this.tasks = tasks;
  }

  @Override
  public void beginTask(BeginTaskRequest request, StreamObserver<BeginTaskResponse> response) {
    Calls.unary(response, () -> ProtoMapper.toProto(tasks.begin(Caller.identity(), ProtoMapper.toCommand(request))));
  }

  @Override
  public void mintCredential(MintCredentialRequest request, StreamObserver<MintCredentialResponse> response) {
    Calls.unary(
        response,
        () -> ProtoMapper.toProto(tasks.mint(Caller.identity(), request.getTaskId(), request.getRole())));
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
