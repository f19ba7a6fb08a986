package dev.minter.e2e;

import static dev.minter.e2e.MinterFixture.AGENT;
import static dev.minter.e2e.MinterFixture.OTHER_AGENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import dev.minter.attest.jwt.TestJwts;
import dev.minter.audit.AuditRecords;
import dev.minter.proto.v1.BeginTaskResponse;
import dev.minter.proto.v1.MintCredentialResponse;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Human → agent delegation end to end: a server configured with a delegation issuer (a JWKS file written here, keys
 * generated at runtime), agents over real mTLS, real OpenBao and PostgreSQL. A delegated task opens, its audit
 * records carry the chain with the person first, and its credentials log in; tokens for another agent, expired,
 * replayed, or asked for more than was delegated are refused with the right status and audited.
 */
class HumanDelegationIT {
  static final String ISS = "https://idp.corp.example";
  static final String ALICE = "alice@corp.example";
  static final ECKey IDP = TestJwts.ec("idp-2026", Curve.P_256);

  @TempDir static Path dir;
  static MinterFixture minter;

  @BeforeAll
  static void start() throws Exception {
    Files.writeString(dir.resolve("idp-keys.json"), new JWKSet(IDP.toPublicJWK()).toString());
    minter = new MinterFixture(dir, """
        delegation:
          audience: minter
          max_token_lifetime: 1h
          issuers:
            - issuer: %s
              jwks_file: idp-keys.json
        """.formatted(ISS));
    minter.start();
  }

  @AfterAll
  static void stop() {
    minter.close();
  }

  /** Alice delegates {@code scope} to {@code actor} for 10 minutes, issued now. */
  static TestJwts.Builder token(String actor, String scope) {
    Instant now = Instant.now();
    return new TestJwts.Builder(IDP, "ES256")
        .claim("iss", ISS)
        .claim("aud", "minter")
        .claim("sub", ALICE)
        .claim("act", Map.of("sub", actor))
        .claim("scope", scope)
        .claim("jti", java.util.UUID.randomUUID().toString())
        .claim("iat", now.minusSeconds(5))
        .claim("exp", now.plus(Duration.ofMinutes(10)));
  }

  @Test
  void beginTask_withDelegationToken_opensTaskWhoseAuditChainStartsWithTheHuman_andCredentialsWork() throws Exception {
    String token = token(AGENT, "role:analytics-ro purpose:report:*").build();
    try (Agent agent = new Agent(minter.channelFor(AGENT))) {
      BeginTaskResponse task = agent.beginDelegated("report:delegated", 300, token, "analytics-ro");
      assertThat(task.getRule()).isEqualTo("agents");

      List<Map<String, String>> chain = List.of(
          Map.of("kind", "human", "subject", ALICE),
          Map.of("kind", "agent", "subject", AGENT, "task", task.getTaskId(), "rule", "agents"));
      assertThat(AuditRecords.read(minter.auditFile()))
          .filteredOn(r -> "task.begin".equals(r.get("event")) && task.getTaskId().equals(r.get("task")))
          .isNotEmpty()
          .allSatisfy(r -> assertThat(r.get("chain")).isEqualTo(chain));

      MintCredentialResponse cred = agent.mint(task.getTaskId(), "analytics-ro");
      assertThat(Postgres.countReportsAs(cred.getDatabase().getUsername(), cred.getDatabase().getPassword()))
          .isPositive();
      assertThat(AuditRecords.read(minter.auditFile()))
          .filteredOn(r -> "credential.mint".equals(r.get("event")) && task.getTaskId().equals(r.get("task")))
          .isNotEmpty()
          .allSatisfy(r -> assertThat(r.get("chain")).isEqualTo(chain));
      agent.complete(task.getTaskId());
    }
    assertThat(Files.readString(minter.auditFile())).doesNotContain(token.split("\\.")[1]);
  }

  @Test
  void beginTask_tokenIssuedToAnotherAgent_isPermissionDeniedAndAudited() throws Exception {
    String token = token(OTHER_AGENT, "role:analytics-ro purpose:report:*").build();
    try (Agent agent = new Agent(minter.channelFor(AGENT))) {
      assertRefused(() -> agent.beginDelegated("report:x", 300, token, "analytics-ro"), token,
          Status.Code.PERMISSION_DENIED, "denied", "was issued to agent '" + OTHER_AGENT + "'");
    }
  }

  @Test
  void beginTask_expiredToken_isUnauthenticatedAndAudited() throws Exception {
    Instant now = Instant.now();
    String token = token(AGENT, "role:analytics-ro purpose:report:*")
        .claim("iat", now.minus(Duration.ofMinutes(20)))
        .claim("exp", now.minus(Duration.ofMinutes(5)))
        .build();
    try (Agent agent = new Agent(minter.channelFor(AGENT))) {
      assertRefused(() -> agent.beginDelegated("report:x", 300, token, "analytics-ro"), token,
          Status.Code.UNAUTHENTICATED, "unauthenticated", "token expired at");
    }
  }

  @Test
  void beginTask_replayedToken_secondUseIsUnauthenticatedAndAudited() throws Exception {
    String token = token(AGENT, "role:analytics-ro purpose:report:*").build();
    try (Agent agent = new Agent(minter.channelFor(AGENT))) {
      String taskId = agent.beginDelegated("report:once", 120, token, "analytics-ro").getTaskId();
      agent.complete(taskId);

      assertRefused(() -> agent.beginDelegated("report:twice", 120, token, "analytics-ro"), token,
          Status.Code.UNAUTHENTICATED, "unauthenticated", "was already used");
    }
  }

  @Test
  void beginTask_roleNotDelegated_isPermissionDeniedNamingTheDelegator() throws Exception {
    String token = token(AGENT, "role:analytics-ro purpose:report:*").build();
    try (Agent agent = new Agent(minter.channelFor(AGENT))) {
      // The policy alone would allow vault-token to this agent; alice did not delegate it.
      assertRefused(() -> agent.beginDelegated("report:x", 120, token, "analytics-ro", "vault-token"), token,
          Status.Code.PERMISSION_DENIED, "denied",
          "role 'vault-token' was not delegated by " + ALICE + " (delegated: [analytics-ro])");
    }
  }

  private static void assertRefused(
      Runnable call, String token, Status.Code code, String decision, String reason) throws Exception {
    assertThatThrownBy(call::run).satisfies(e -> {
      Status status = Status.fromThrowable(e);
      assertThat(status.getCode()).isEqualTo(code);
      assertThat(status.getDescription()).contains(reason).doesNotContain(token);
    });
    assertThat(AuditRecords.read(minter.auditFile()).getLast())
        .containsEntry("event", "task.begin")
        .containsEntry("identity", AGENT)
        .containsEntry("rule", "delegation")
        .containsEntry("decision", decision)
        .hasEntrySatisfying("reason", r -> assertThat((String) r).contains(reason));
    String audit = Files.readString(minter.auditFile());
    for (String part : token.split("\\.")) {
      assertThat(audit).doesNotContain(part);
    }
  }
}
