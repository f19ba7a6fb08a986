package dev.minter.e2e;

import com.google.protobuf.ByteString;
import com.google.protobuf.Duration;
import dev.minter.proto.v1.Evidence;
import dev.minter.proto.v1.BeginTaskRequest;
import dev.minter.proto.v1.BeginTaskResponse;
import dev.minter.proto.v1.CompleteTaskRequest;
import dev.minter.proto.v1.MintCredentialRequest;
import dev.minter.proto.v1.MintCredentialResponse;
import dev.minter.proto.v1.MinterGrpc;
import dev.minter.proto.v1.RevocationReceipt;
import io.grpc.ManagedChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A test agent: one identity's mTLS channel to Minter and the three calls. */
final class Agent implements AutoCloseable {
  private final ManagedChannel channel;
  private final MinterGrpc.MinterBlockingStub stub;
  private final Evidence evidence;

  Agent(ManagedChannel channel) {
    this(channel, null);
  }

  /** An agent that sends {@code evidence} (e.g. an AWS instance identity document) in every request. */
  Agent(ManagedChannel channel, Evidence evidence) {
    this.channel = channel;
    this.stub = MinterGrpc.newBlockingStub(channel);
    this.evidence = evidence;
  }

  static Evidence evidence(String kind, byte[] payload) {
    return Evidence.newBuilder().setKind(kind).setPayload(ByteString.copyFrom(payload)).build();
  }

  BeginTaskResponse begin(String purpose, long ttlSeconds, String... roles) {
    return stub()
        .beginTask(
            BeginTaskRequest.newBuilder()
                .setPurpose(purpose)
                .setTtl(Duration.newBuilder().setSeconds(ttlSeconds))
                .addAllRoles(List.of(roles))
                .putLabels("test", "e2e")
                .setEvidence(evidenceOrDefault())
                .build());
  }

  /** BeginTask acting for a person: {@code delegationToken} is a human → agent delegation token. */
  BeginTaskResponse beginDelegated(String purpose, long ttlSeconds, String delegationToken, String... roles) {
    return stub()
        .beginTask(
            BeginTaskRequest.newBuilder()
                .setPurpose(purpose)
                .setTtl(Duration.newBuilder().setSeconds(ttlSeconds))
                .addAllRoles(List.of(roles))
                .putLabels("test", "e2e")
                .setDelegationToken(delegationToken)
                .setEvidence(evidenceOrDefault())
                .build());
  }

  MintCredentialResponse mint(String taskId, String role) {
    return stub()
        .mintCredential(
            MintCredentialRequest.newBuilder().setTaskId(taskId).setRole(role).setEvidence(evidenceOrDefault()).build());
  }

  RevocationReceipt complete(String taskId) {
    return stub()
        .completeTask(CompleteTaskRequest.newBuilder().setTaskId(taskId).setEvidence(evidenceOrDefault()).build())
        .getReceipt();
  }

  /** The evidence to send, or the default instance (which the server treats as "none": mTLS applies). */
  private Evidence evidenceOrDefault() {
    return evidence == null ? Evidence.getDefaultInstance() : evidence;
  }

  private MinterGrpc.MinterBlockingStub stub() {
    return stub.withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
