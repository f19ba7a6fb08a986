package dev.minter.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The interceptor over the in-process transport (no TLS at all): nothing reaches a service unattested. */
class AttestationInterceptorTest {
  @TempDir Path dir;
  JsonlAuditLog audit;
  Server server;
  ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    audit = JsonlAuditLog.open(dir.resolve("audit.jsonl"), Clock.systemUTC());
    AttestationInterceptor interceptor =
        new AttestationInterceptor(
            new Attestors(Map.of("x509_svid", new X509SvidAttestor(td -> Optional.empty(), Clock.systemUTC()))),
            audit);
    HealthStatusManager health = new HealthStatusManager();
    String name = InProcessServerBuilder.generateName();
    // The service would fail on any call that reached it: it has no TaskService.
    server =
        InProcessServerBuilder.forName(name)
            .addService(ServerInterceptors.intercept(new MinterService(null, null), interceptor))
            .addService(health.getHealthService())
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

  @Test
  void call_withoutClientCertificate_isUnauthenticatedAndAudited() throws Exception {
    assertThatThrownBy(
            () ->
                MinterGrpc.newBlockingStub(channel)
                    .beginTask(BeginTaskRequest.newBuilder().setPurpose("p").addRoles("r").build()))
        .satisfies(e -> {
          Status status = Status.fromThrowable(e);
          assertThat(status.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
          assertThat(status.getDescription()).startsWith("attestation failed: ").contains("(request req_");
        });

    Map<String, Object> record = AuditRecords.read(dir.resolve("audit.jsonl")).getLast();
    assertThat(record)
        .containsEntry("event", "attest.reject")
        .containsEntry("attestor", "x509_svid")
        .containsEntry("decision", "deny")
        .containsEntry("method", "minter.v1.Minter/BeginTask");
    assertThat((String) record.get("request_id")).startsWith("req_");
  }

  @Test
  void healthService_isOpenWithoutAttestation() {
    HealthCheckResponse response =
        HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.newBuilder().setService("").build());

    assertThat(response.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
  }
}
