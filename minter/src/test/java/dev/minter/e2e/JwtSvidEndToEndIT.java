package dev.minter.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Duration;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import dev.minter.attest.jwt.TestJwts;
import dev.minter.audit.AuditRecords;
import dev.minter.proto.v1.BeginTaskRequest;
import dev.minter.proto.v1.CompleteTaskRequest;
import dev.minter.proto.v1.MintCredentialRequest;
import dev.minter.proto.v1.MintCredentialResponse;
import dev.minter.proto.v1.MinterGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JWT-SVIDs against the real stack: a workload of corp.example presents a JWT-SVID (as request evidence, and as
 * {@code authorization: Bearer}), gets PostgreSQL credentials that work, and completes; a forged JWT-SVID gets
 * UNAUTHENTICATED and an {@code attest.reject} audit record.
 */
class JwtSvidEndToEndIT {
  static final String WORKLOAD = "spiffe://corp.example/agents/report-bot";
  static final ECKey CORP = TestJwts.ec("corp-jwt-1", Curve.P_256);

  @TempDir static Path dir;
  static MinterFixture minter;

  @BeforeAll
  static void start() throws Exception {
    Files.writeString(dir.resolve("corp-bundle.json"), bundle(CORP));
    minter = new MinterFixture(dir, """
        attestors:
          jwt_svid:
            audience: minter
            bundles:
              corp.example: corp-bundle.json
        """).start();
  }

  @AfterAll
  static void stop() {
    minter.close();
  }

  @Test
  void jwtSvidAsRequestEvidence_beginsMintsWorkingCredentialsAndCompletes() throws Exception {
    byte[] token = svid(CORP).getBytes(StandardCharsets.US_ASCII);
    try (Agent agent = new Agent(minter.channelWithoutClientCertificate(), Agent.evidence("jwt_svid", token))) {
      String taskId = agent.begin("report:x", 60, "analytics-ro").getTaskId();
      MintCredentialResponse cred = agent.mint(taskId, "analytics-ro");

      assertThat(Postgres.countReportsAs(cred.getDatabase().getUsername(), cred.getDatabase().getPassword()))
          .isPositive();
      assertThat(agent.complete(taskId).getReason()).isEqualTo("complete");
    }
    assertThat(AuditRecords.read(minter.auditFile()))
        .anySatisfy(r -> assertThat(r).containsEntry("identity", WORKLOAD).containsEntry("attestor", "jwt_svid"));
  }

  @Test
  void jwtSvidAsBearerHeader_beginsMintsWorkingCredentialsAndCompletes() throws Exception {
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + svid(CORP));
    ManagedChannel channel = minter.channelWithoutClientCertificate();
    try {
      MinterGrpc.MinterBlockingStub stub = MinterGrpc.newBlockingStub(channel)
          .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
          .withDeadlineAfter(60, TimeUnit.SECONDS);
      String taskId = stub.beginTask(BeginTaskRequest.newBuilder().setPurpose("report:bearer")
          .setTtl(Duration.newBuilder().setSeconds(60)).addRoles("analytics-ro").build()).getTaskId();
      MintCredentialResponse cred = stub.mintCredential(
          MintCredentialRequest.newBuilder().setTaskId(taskId).setRole("analytics-ro").build());

      assertThat(Postgres.countReportsAs(cred.getDatabase().getUsername(), cred.getDatabase().getPassword()))
          .isPositive();
      assertThat(stub.completeTask(CompleteTaskRequest.newBuilder().setTaskId(taskId).build()).getReceipt()
          .getReason()).isEqualTo("complete");
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void forgedJwtSvid_isUnauthenticatedAndAudited() throws Exception {
    ECKey attacker = TestJwts.ec(CORP.getKeyID(), Curve.P_256); // the trusted kid, the attacker's own key
    byte[] forged = svid(attacker).getBytes(StandardCharsets.US_ASCII);
    int before = AuditRecords.read(minter.auditFile()).size();

    try (Agent agent = new Agent(minter.channelWithoutClientCertificate(), Agent.evidence("jwt_svid", forged))) {
      assertThatThrownBy(() -> agent.begin("report:x", 60, "analytics-ro")).satisfies(e -> {
        Status status = Status.fromThrowable(e);
        assertThat(status.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(status.getDescription()).contains("signature does not verify");
      });
    }

    List<Map<String, Object>> records = AuditRecords.read(minter.auditFile());
    assertThat(records).hasSize(before + 1);
    assertThat(records.getLast())
        .containsEntry("event", "attest.reject")
        .containsEntry("attestor", "jwt_svid")
        .containsEntry("failure", "untrusted");
  }

  /** A JWT-SVID as SPIRE issues one: ES256, kid, typ JWT; sub, aud, exp, iat. */
  static String svid(JWK key) {
    Instant now = Instant.now();
    return new TestJwts.Builder(key, "ES256")
        .claim("sub", WORKLOAD)
        .claim("aud", List.of("minter"))
        .claim("exp", now.plusSeconds(300))
        .claim("iat", now)
        .build();
  }

  /** A SPIFFE bundle document with one JWT authority. */
  static String bundle(JWK key) {
    Map<String, Object> jwk = new java.util.LinkedHashMap<>(key.toPublicJWK().toJSONObject());
    jwk.put("use", "jwt-svid");
    return TestJwts.json(Map.of("keys", List.of(jwk), "spiffe_sequence", 1, "spiffe_refresh_hint", 300));
  }
}
