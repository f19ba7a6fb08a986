package dev.minter.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minter.attest.oidc.TestIssuer;
import dev.minter.audit.AuditRecords;
import dev.minter.proto.v1.MintCredentialResponse;
import dev.minter.proto.v1.RevocationReceipt;
import dev.minter.proto.v1.RevocationStatus;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A GCE instance (played by this test: a key standing in for Google's signs tokens in the metadata server's exact
 * format=full shape) attests with a fresh instance identity token on every call and gets real PostgreSQL credentials
 * from real OpenBao; a replayed or foreign token is refused and audited.
 */
class GcpIitEndToEndIT {
  static final TestIssuer GOOGLE = TestIssuer.rsa("6f7254101f56e41cf35c9926de84a2d552b4c6f1");
  static final TestIssuer ROGUE = TestIssuer.rsa("6f7254101f56e41cf35c9926de84a2d552b4c6f1");
  static final String ID = "spiffe://minter.local/gcp/corp-prod/report-agent-1";
  static final AtomicLong SERIAL = new AtomicLong();

  @TempDir static Path dir;
  static MinterFixture minter;

  @BeforeAll
  static void start() throws Exception {
    Instant now = Instant.now();
    // Google's oauth2/v1/certs shape: key id -> PEM certificate.
    Files.writeString(dir.resolve("google-certs.json"), TestIssuer.json(Map.of(GOOGLE.kid(),
        TestIssuer.pem(GOOGLE.certificate(now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(14)))))));
    minter = new MinterFixture(dir, """
        attestors:
          gcp_iit:
            audience: minter
            keys_file: google-certs.json
            projects: [corp-prod]
            zones: [us-central1-a]
            max_age: 5m
        """).start();
  }

  @AfterAll
  static void stop() {
    minter.close();
  }

  /** What the metadata server returns for ?audience=minter&format=full: a new token on every request. */
  private static final long START = Instant.now().getEpochSecond();

  static String token(TestIssuer signer, Function<Map<String, Object>, Map<String, Object>> edit) {
    // Google's tokens differ on every request; here each token gets its own iat (a few seconds before the class
    // started, well inside max_age) so no two are identical — counting back from a fixed start, not from "now",
    // which would repeat a value whenever the clock ticks between two tokens.
    long iat = START - SERIAL.incrementAndGet();
    Map<String, Object> ce = new LinkedHashMap<>();
    ce.put("instance_creation_timestamp", iat - 86_400);
    ce.put("instance_id", "4570452845155348778");
    ce.put("instance_name", "report-agent-1");
    ce.put("project_id", "corp-prod");
    ce.put("project_number", 1071284184436L);
    ce.put("zone", "us-central1-a");
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("aud", "minter");
    claims.put("azp", "112179062720391305885");
    claims.put("email", "report-agent@corp-prod.iam.gserviceaccount.com");
    claims.put("email_verified", true);
    claims.put("exp", iat + 3600);
    claims.put("google", Map.of("compute_engine", ce));
    claims.put("iat", iat);
    claims.put("iss", "https://accounts.google.com");
    claims.put("sub", "112179062720391305885");
    return signer.sign(edit.apply(claims));
  }

  static String freshToken() {
    return token(GOOGLE, Function.identity());
  }

  static Agent agentWith(String token) throws Exception {
    return new Agent(minter.channelWithoutClientCertificate(),
        Agent.evidence("gcp_iit", token.getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  void instanceWithFreshTokenPerCall_beginsMintsUsesAndCompletes() throws Exception {
    String taskId;
    try (Agent agent = agentWith(freshToken())) {
      taskId = agent.begin("report:x", 60, "analytics-ro").getTaskId();
    }
    MintCredentialResponse cred;
    try (Agent agent = agentWith(freshToken())) {
      cred = agent.mint(taskId, "analytics-ro");
    }
    String user = cred.getDatabase().getUsername();
    assertThat(Postgres.countReportsAs(user, cred.getDatabase().getPassword())).isPositive();
    RevocationReceipt receipt;
    try (Agent agent = agentWith(freshToken())) {
      receipt = agent.complete(taskId);
    }

    assertThat(receipt.getToken()).isEqualTo(RevocationStatus.REVOKED);
    assertThat(AuditRecords.read(minter.auditFile())).anySatisfy(r -> {
      assertThat(r).containsEntry("event", "task.begin").containsEntry("identity", ID).containsEntry("task", taskId);
    });
  }

  @Test
  void replayedToken_isUnauthenticatedAndAuditedAsReplay() throws Exception {
    String token = freshToken();
    try (Agent agent = agentWith(token)) {
      agent.begin("report:x", 60, "analytics-ro");
      int before = AuditRecords.read(minter.auditFile()).size();

      assertThatThrownBy(() -> agent.begin("report:x", 60, "analytics-ro")).satisfies(e -> {
        Status status = Status.fromThrowable(e);
        assertThat(status.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(status.getDescription()).contains("already used");
      });

      var records = AuditRecords.read(minter.auditFile());
      assertThat(records).hasSize(before + 1);
      assertThat(records.getLast())
          .containsEntry("event", "attest.reject")
          .containsEntry("attestor", "gcp_iit")
          .containsEntry("failure", "replayed");
    }
  }

  @Test
  void forgedTokens_areUnauthenticatedWithoutATask() throws Exception {
    Map<String, String> forgeries = Map.of(
        token(ROGUE, Function.identity()), "signature does not verify",
        token(GOOGLE, c -> { c.put("aud", "https://other.example"); return c; }), "does not contain 'minter'",
        token(GOOGLE, c -> withProject(c, "attacker-project")), "project 'attacker-project' is not in projects");
    for (Map.Entry<String, String> forgery : forgeries.entrySet()) {
      int before = AuditRecords.read(minter.auditFile()).size();
      try (Agent agent = agentWith(forgery.getKey())) {
        assertThatThrownBy(() -> agent.begin("report:x", 60, "analytics-ro")).satisfies(e -> {
          Status status = Status.fromThrowable(e);
          assertThat(status.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
          assertThat(status.getDescription()).contains(forgery.getValue());
        });
      }
      var records = AuditRecords.read(minter.auditFile());
      assertThat(records).hasSize(before + 1);
      assertThat(records.getLast()).containsEntry("event", "attest.reject").containsEntry("failure", "untrusted");
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> withProject(Map<String, Object> claims, String project) {
    Map<String, Object> ce = new LinkedHashMap<>((Map<String, Object>) ((Map<?, ?>) claims.get("google")).get("compute_engine"));
    ce.put("project_id", project);
    claims.put("google", Map.of("compute_engine", ce));
    return claims;
  }
}
