package dev.minter.e2e;

import static dev.minter.e2e.MinterFixture.AGENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minter.Main;
import dev.minter.audit.AuditRecords;
import dev.minter.audit.AuditVerifier;
import dev.minter.ledger.SqliteLedger;
import dev.minter.ledger.TaskState;
import dev.minter.ledger.TokenCipher;
import dev.minter.proto.v1.MintCredentialResponse;
import dev.minter.testing.RealStack;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code minter revoke --direct}: with the server stopped, an operator token holding only the minter-breakglass policy
 * revokes a task's credentials straight from the ledger, and the audit chain stays intact.
 */
class BreakGlassIT {
  @TempDir Path dir;
  MinterFixture minter;
  Path operatorToken;

  @BeforeEach
  void start() throws Exception {
    minter = new MinterFixture(dir).start();
    RealStack stack = minter.stack;
    String hcl = Files.readString(stack.repoRoot().resolve("vault-policies/minter-breakglass.hcl"));
    assertThat(stack.asRoot("PUT", "sys/policies/acl/minter-breakglass", Map.of("policy", hcl)).status()).isEqualTo(204);
    RealStack.Response token = stack.asRoot("POST", "auth/token/create",
        Map.of("policies", List.of("minter-breakglass"), "no_default_policy", true, "ttl", "10m", "display_name", "breakglass-it"));
    assertThat(token.status()).isEqualTo(200);
    operatorToken = dir.resolve("operator.token");
    Files.writeString(operatorToken, token.body().path("auth").path("client_token").asText());
  }

  @AfterEach
  void stop() {
    minter.close();
  }

  @Test
  void revokeDirect_serverDown_revokesFromLedgerWithBreakGlassToken() throws Exception {
    String taskId;
    MintCredentialResponse cred;
    try (Agent agent = new Agent(minter.channelFor(AGENT))) {
      taskId = agent.begin("report:breakglass", 300, "analytics-ro").getTaskId();
      cred = agent.mint(taskId, "analytics-ro");
    }
    String user = cred.getDatabase().getUsername();
    assertThat(Postgres.countReportsAs(user, cred.getDatabase().getPassword())).isPositive();

    minter.close();
    Captured run = run("revoke", "--task", taskId, "--direct", "--config", dir.resolve("minter.yaml").toString(),
        "--vault-token-file", operatorToken.toString(), "--reason", "server down, agent compromised");

    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out()).contains(taskId);
    assertThatThrownBy(() -> Postgres.countReportsAs(user, cred.getDatabase().getPassword()))
        .isInstanceOf(SQLException.class);
    assertThat(Postgres.roleExists(user)).isFalse();
    try (SqliteLedger ledger = SqliteLedger.open(minter.config.ledger().sqlite(),
        TokenCipher.loadOrCreate(minter.config.ledger().keyFile()), Clock.systemUTC())) {
      assertThat(ledger.findTask(taskId).orElseThrow().state()).isEqualTo(TaskState.REVOKED);
      assertThat(ledger.leases(taskId)).allSatisfy(l -> assertThat(l.revoked()).isTrue());
    }
    assertThat(AuditRecords.read(minter.auditFile()).getLast())
        .containsEntry("event", "task.revoke")
        .containsEntry("task", taskId)
        .containsEntry("via", "break-glass")
        .containsEntry("outcome", "confirmed")
        .containsEntry("reason", "server down, agent compromised")
        .containsEntry("identity", "break-glass:" + System.getProperty("user.name"));
    assertThat(AuditVerifier.verify(minter.auditFile()).ok()).isTrue();
  }

  @Test
  void revokeDirect_serverRunning_refusesAndSaysWhy() throws Exception {
    String taskId;
    try (Agent agent = new Agent(minter.channelFor(AGENT))) {
      taskId = agent.begin("report:breakglass", 300, "analytics-ro").getTaskId();
    }

    Captured run = run("revoke", "--task", taskId, "--direct", "--config", dir.resolve("minter.yaml").toString(),
        "--vault-token-file", operatorToken.toString());

    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err()).contains("audit log is locked").contains("still running");
    assertThat(AuditRecords.read(minter.auditFile())).noneSatisfy(r -> assertThat(r).containsEntry("event", "task.revoke"));
  }

  @Test
  void revokeDirect_byAgentGlob_revokesEveryOpenTaskOfThatAgent() throws Exception {
    String first;
    String second;
    try (Agent agent = new Agent(minter.channelFor(AGENT))) {
      first = agent.begin("report:a", 300, "analytics-ro").getTaskId();
      second = agent.begin("report:b", 300, "analytics-ro").getTaskId();
    }
    minter.close();

    Captured run = run("revoke", "--agent", "spiffe://minter.local/agents/research-*", "--direct",
        "--config", dir.resolve("minter.yaml").toString(), "--vault-token-file", operatorToken.toString());

    assertThat(run.code()).as(run.err()).isZero();
    assertThat(AuditRecords.read(minter.auditFile()))
        .filteredOn(r -> "task.revoke".equals(r.get("event")))
        .extracting(r -> r.get("task"))
        .contains(first, second);
  }

  private record Captured(int code, String out, String err) {}

  private static Captured run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream o = System.out;
    PrintStream e = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int code = Main.commandLine().execute(args);
      return new Captured(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(o);
      System.setErr(e);
    }
  }
}
