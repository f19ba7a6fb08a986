package dev.minter.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.minter.attest.oidc.TestIssuer;
import dev.minter.audit.AuditRecords;
import dev.minter.proto.v1.MintCredentialResponse;
import dev.minter.proto.v1.RevocationStatus;
import io.grpc.Status;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A GitHub Actions job and a GitLab CI job (played by this test: runtime keys stand in for the issuers', tokens in
 * their exact claim formats) attest with OIDC tokens and get real PostgreSQL credentials from real OpenBao. GitHub's
 * keys come from a jwks_uri served on loopback, GitLab's from a keys file. A replayed single-use token and a token
 * from an unconfigured issuer are refused and audited.
 */
class OidcEndToEndIT {
  static final TestIssuer GITHUB = TestIssuer.rsa("cc413527-173f-5a05-976e-9c52b1d7b431");
  static final TestIssuer GITLAB = TestIssuer.rsa("4i3sFE7sxqNPOT7FdvcGA1ZVGGI_r-tsDXnEuYT4ZqE");
  static final String GITHUB_ID =
      "spiffe://minter.local/oidc/token.actions.githubusercontent.com/corp_2fapp/refs_2fheads_2fmain/deploy";
  static final AtomicInteger JWKS_FETCHES = new AtomicInteger();

  @TempDir static Path dir;
  static HttpServer jwks;
  static MinterFixture minter;

  @BeforeAll
  static void start() throws Exception {
    jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    jwks.createContext("/.well-known/jwks", exchange -> {
      JWKS_FETCHES.incrementAndGet();
      byte[] body = GITHUB.publicJwks().toString().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    jwks.start();
    Files.writeString(dir.resolve("gitlab-jwks.json"), GITLAB.publicJwks().toString());
    minter = new MinterFixture(dir, """
        attestors:
          oidc:
            issuers:
              - issuer: https://token.actions.githubusercontent.com
                audience: minter
                jwks_uri: http://127.0.0.1:%d/.well-known/jwks
                identity_claims: [repository, ref, workflow]
                required_claims: {repository_owner: corp}
                max_lifetime: 15m
                single_use: true
              - issuer: https://gitlab.com
                audience: minter
                keys_file: gitlab-jwks.json
                identity_claims: [project_path, ref]
                required_claims: {namespace_path: corp}
                single_use: false
        """.formatted(jwks.getAddress().getPort())).start();
  }

  @AfterAll
  static void stop() {
    minter.close();
    jwks.stop(0);
  }

  /** A GitHub Actions token for a push to main of corp/app, requested with audience "minter"; unique per request. */
  static String githubToken(String iss) {
    long iat = Instant.now().getEpochSecond();
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("jti", UUID.randomUUID().toString());
    c.put("sub", "repo:corp/app:ref:refs/heads/main");
    c.put("aud", "minter");
    c.put("ref", "refs/heads/main");
    c.put("sha", "d6b1a3f0c2e4b5a69788f1e2d3c4b5a6978812ab");
    c.put("repository", "corp/app");
    c.put("repository_owner", "corp");
    c.put("repository_owner_id", "65");
    c.put("run_id", "9876543210");
    c.put("run_number", "42");
    c.put("run_attempt", "1");
    c.put("actor", "octocat");
    c.put("workflow", "deploy");
    c.put("event_name", "push");
    c.put("ref_type", "branch");
    c.put("job_workflow_ref", "corp/app/.github/workflows/deploy.yml@refs/heads/main");
    c.put("runner_environment", "github-hosted");
    c.put("iss", iss);
    c.put("nbf", iat - 300);
    c.put("exp", iat + 300);
    c.put("iat", iat);
    return GITHUB.sign(c);
  }

  static String gitlabToken() {
    long iat = Instant.now().getEpochSecond();
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("namespace_id", "72");
    c.put("namespace_path", "corp");
    c.put("project_id", "20");
    c.put("project_path", "corp/app");
    c.put("pipeline_id", "1212");
    c.put("pipeline_source", "push");
    c.put("job_id", "3434");
    c.put("ref", "main");
    c.put("ref_type", "branch");
    c.put("ref_protected", "true");
    c.put("runner_id", 1);
    c.put("jti", UUID.randomUUID().toString());
    c.put("iss", "https://gitlab.com");
    c.put("iat", iat);
    c.put("nbf", iat - 5);
    c.put("exp", iat + 3600);
    c.put("sub", "project_path:corp/app:ref_type:branch:ref:main");
    c.put("aud", "minter");
    return GITLAB.sign(c);
  }

  static Agent agentWith(String token) throws Exception {
    return new Agent(minter.channelWithoutClientCertificate(),
        Agent.evidence("oidc", token.getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  void githubJob_freshTokenPerCall_beginsMintsUsesAndCompletes() throws Exception {
    String taskId;
    try (Agent agent = agentWith(githubToken("https://token.actions.githubusercontent.com"))) {
      taskId = agent.begin("report:x", 60, "analytics-ro").getTaskId();
    }
    MintCredentialResponse cred;
    try (Agent agent = agentWith(githubToken("https://token.actions.githubusercontent.com"))) {
      cred = agent.mint(taskId, "analytics-ro");
    }
    assertThat(Postgres.countReportsAs(cred.getDatabase().getUsername(), cred.getDatabase().getPassword())).isPositive();
    try (Agent agent = agentWith(githubToken("https://token.actions.githubusercontent.com"))) {
      assertThat(agent.complete(taskId).getToken()).isEqualTo(RevocationStatus.REVOKED);
    }

    assertThat(AuditRecords.read(minter.auditFile())).anySatisfy(r -> assertThat(r)
        .containsEntry("event", "task.begin").containsEntry("identity", GITHUB_ID).containsEntry("task", taskId));
    assertThat(JWKS_FETCHES.get()).as("keys cached between calls").isEqualTo(1);
  }

  @Test
  void gitlabJob_oneTokenForTheWholeJob_beginsMintsAndCompletes() throws Exception {
    try (Agent agent = agentWith(gitlabToken())) {
      String taskId = agent.begin("report:x", 60, "analytics-ro").getTaskId();
      MintCredentialResponse cred = agent.mint(taskId, "analytics-ro");
      assertThat(Postgres.countReportsAs(cred.getDatabase().getUsername(), cred.getDatabase().getPassword()))
          .isPositive();
      assertThat(agent.complete(taskId).getToken()).isEqualTo(RevocationStatus.REVOKED);
    }
  }

  @Test
  void replayedSingleUseToken_isUnauthenticatedAndAuditedAsReplay() throws Exception {
    try (Agent agent = agentWith(githubToken("https://token.actions.githubusercontent.com"))) {
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
          .containsEntry("attestor", "oidc")
          .containsEntry("failure", "replayed");
    }
  }

  @Test
  void tokenFromUnconfiguredIssuer_isUnauthenticatedAndAudited() throws Exception {
    int before = AuditRecords.read(minter.auditFile()).size();
    try (Agent agent = agentWith(githubToken("https://token.actions.githubusercontent.com.evil.example"))) {
      assertThatThrownBy(() -> agent.begin("report:x", 60, "analytics-ro")).satisfies(e -> {
        Status status = Status.fromThrowable(e);
        assertThat(status.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(status.getDescription()).contains("is not configured");
      });
    }
    var records = AuditRecords.read(minter.auditFile());
    assertThat(records).hasSize(before + 1);
    assertThat(records.getLast()).containsEntry("event", "attest.reject").containsEntry("failure", "untrusted");
  }
}
