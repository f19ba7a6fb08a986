package dev.minter.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.sun.net.httpserver.HttpServer;
import dev.minter.attest.jwt.TestJwts;
import dev.minter.audit.AuditRecords;
import dev.minter.proto.v1.MintCredentialResponse;
import io.grpc.Status;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kubernetes projected service-account tokens against the real stack, with the cluster's keys found the way a real
 * deployment finds them: OIDC discovery on the issuer (served here by a loopback HTTP server in the API server's
 * format). A pod's token gets working PostgreSQL credentials; a legacy never-expiring token is refused and audited.
 */
class K8sSatEndToEndIT {
  static final RSAKey CLUSTER = TestJwts.rsa("Hc3vYz2Hq0m7cX1dVbq1gk3m0fJ2bq4yN1Xw9oQdL3E");
  static final String IDENTITY = "spiffe://minter.local/k8s/prod-eu/ns/analytics/sa/report-runner";

  @TempDir static Path dir;
  static HttpServer issuer;
  static String issuerUrl;
  static MinterFixture minter;

  @BeforeAll
  static void start() throws Exception {
    issuer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    issuerUrl = "http://127.0.0.1:" + issuer.getAddress().getPort();
    issuer.createContext("/.well-known/openid-configuration", ex -> respond(ex, "{\"issuer\":\"" + issuerUrl
        + "\",\"jwks_uri\":\"" + issuerUrl + "/openid/v1/jwks\",\"response_types_supported\":[\"id_token\"],"
        + "\"subject_types_supported\":[\"public\"],\"id_token_signing_alg_values_supported\":[\"RS256\"]}"));
    issuer.createContext("/openid/v1/jwks", ex -> respond(ex, new JWKSet(
        new RSAKey.Builder(CLUSTER.toPublicJWK()).keyUse(com.nimbusds.jose.jwk.KeyUse.SIGNATURE)
            .algorithm(com.nimbusds.jose.JWSAlgorithm.RS256).build()).toString()));
    issuer.start();
    minter = new MinterFixture(dir, """
        attestors:
          k8s_sat:
            cluster: prod-eu
            issuer: %s
            issuer_url: %s
            audience: minter
            namespaces: [analytics]
        """.formatted(issuerUrl, issuerUrl)).start();
  }

  @AfterAll
  static void stop() {
    if (minter != null) {
      minter.close();
    }
    issuer.stop(0);
  }

  @Test
  void projectedToken_beginsMintsWorkingCredentialsAndCompletes() throws Exception {
    byte[] token = projectedToken().getBytes(StandardCharsets.US_ASCII);
    try (Agent agent = new Agent(minter.channelWithoutClientCertificate(), Agent.evidence("k8s_sat", token))) {
      String taskId = agent.begin("report:x", 60, "analytics-ro").getTaskId();
      MintCredentialResponse cred = agent.mint(taskId, "analytics-ro");

      assertThat(Postgres.countReportsAs(cred.getDatabase().getUsername(), cred.getDatabase().getPassword()))
          .isPositive();
      assertThat(agent.complete(taskId).getReason()).isEqualTo("complete");
    }
    assertThat(AuditRecords.read(minter.auditFile()))
        .anySatisfy(r -> assertThat(r).containsEntry("identity", IDENTITY).containsEntry("attestor", "k8s_sat"));
  }

  @Test
  void legacySecretToken_isUnauthenticatedAndAudited() throws Exception {
    String legacy = new TestJwts.Builder(CLUSTER, "RS256").header("typ", null)
        .claim("iss", "kubernetes/serviceaccount")
        .claim("kubernetes.io/serviceaccount/namespace", "analytics")
        .claim("kubernetes.io/serviceaccount/secret.name", "report-runner-token-pnj77")
        .claim("kubernetes.io/serviceaccount/service-account.name", "report-runner")
        .claim("kubernetes.io/serviceaccount/service-account.uid", "a709ef71-30e2-489a-bd19-ade97031b9db")
        .claim("sub", "system:serviceaccount:analytics:report-runner")
        .build();
    int before = AuditRecords.read(minter.auditFile()).size();

    try (Agent agent = new Agent(minter.channelWithoutClientCertificate(),
        Agent.evidence("k8s_sat", legacy.getBytes(StandardCharsets.US_ASCII)))) {
      assertThatThrownBy(() -> agent.begin("report:x", 60, "analytics-ro")).satisfies(e -> {
        Status status = Status.fromThrowable(e);
        assertThat(status.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(status.getDescription()).contains("legacy secret-based service-account tokens");
      });
    }

    List<Map<String, Object>> records = AuditRecords.read(minter.auditFile());
    assertThat(records).hasSize(before + 1);
    assertThat(records.getLast())
        .containsEntry("event", "attest.reject")
        .containsEntry("attestor", "k8s_sat")
        .containsEntry("failure", "untrusted");
  }

  /** A token as the kubelet gets one for a projected volume with audience "minter" and expirationSeconds 600. */
  static String projectedToken() {
    Instant now = Instant.now();
    return new TestJwts.Builder(CLUSTER, "RS256").header("typ", null)
        .claim("aud", List.of("minter"))
        .claim("exp", now.plusSeconds(600))
        .claim("iat", now)
        .claim("iss", issuerUrl)
        .claim("jti", "3f0ab0b2-6c70-4a43-9b53-36bd5e5b6a6e")
        .claim("kubernetes.io", Map.of(
            "namespace", "analytics",
            "node", Map.of("name", "worker-1", "uid", "517eb86e-b863-451b-bf70-86cb61439a3a"),
            "pod", Map.of("name", "report-7d9f8", "uid", "0d8b260e-ef0e-45fb-be8e-ff44f97722e8"),
            "serviceaccount", Map.of("name", "report-runner", "uid", "e6a8680e-d103-4cce-80ea-03acbbeacf7d")))
        .claim("nbf", now)
        .claim("sub", "system:serviceaccount:analytics:report-runner")
        .build();
  }

  private static void respond(com.sun.net.httpserver.HttpExchange ex, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(200, bytes.length);
    try (var out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }
}
