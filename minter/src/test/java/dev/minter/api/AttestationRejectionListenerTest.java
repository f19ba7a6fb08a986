package dev.minter.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.minter.attest.AttestationResult;
import dev.minter.attest.Attestors;
import dev.minter.attest.X509SvidAttestor;
import dev.minter.audit.AuditRecords;
import dev.minter.audit.JsonlAuditLog;
import dev.minter.proto.v1.BeginTaskRequest;
import dev.minter.proto.v1.MinterGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The interceptor tells its listener (the anomaly detector) of each rejection, after auditing it. */
class AttestationRejectionListenerTest {
  @TempDir Path dir;
  JsonlAuditLog audit;
  Server server;
  ManagedChannel channel;

  void start(AttestationInterceptor.RejectionListener listener) throws Exception {
    audit = JsonlAuditLog.open(dir.resolve("audit.jsonl"), Clock.systemUTC());
    AttestationInterceptor interceptor =
        new AttestationInterceptor(
            new Attestors(Map.of("x509_svid", new X509SvidAttestor(td -> Optional.empty(), Clock.systemUTC()))),
            audit,
            listener);
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name)
            .addService(ServerInterceptors.intercept(new MinterService(null, null), interceptor))
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    server.shutdownNow();
    audit.close();
  }

  Status beginTask() {
    Throwable thrown =
        catchThrowable(
            () ->
                MinterGrpc.newBlockingStub(channel)
                    .beginTask(BeginTaskRequest.newBuilder().setPurpose("p").addRoles("r").build()));
    assertThat(thrown).isNotNull();
    return Status.fromThrowable(thrown);
  }

  @Test
  void rejectedCall_listenerHearsIt_withTheAuditedRequestId() throws Exception {
    List<String> heard = new CopyOnWriteArrayList<>();
    start((rejected, peer, requestId) -> heard.add(rejected.kind() + " " + rejected.failure() + " " + requestId));

    assertThat(beginTask().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);

    String requestId = (String) AuditRecords.read(dir.resolve("audit.jsonl")).getLast().get("request_id");
    assertThat(heard).containsExactly("x509_svid " + AttestationResult.Failure.UNTRUSTED + " " + requestId);
  }

  @Test
  void rejectedCall_failingListener_doesNotChangeTheRejection() throws Exception {
    start((rejected, peer, requestId) -> {
      throw new IllegalStateException("detector broke");
    });

    assertThat(beginTask().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(AuditRecords.read(dir.resolve("audit.jsonl")).getLast()).containsEntry("event", "attest.reject");
  }
}
