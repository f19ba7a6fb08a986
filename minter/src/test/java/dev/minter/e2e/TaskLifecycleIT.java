package dev.minter.e2e;

import static dev.minter.e2e.MinterFixture.ADMIN;
import static dev.minter.e2e.MinterFixture.AGENT;
import static dev.minter.e2e.MinterFixture.OTHER_AGENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.minter.Main;
import dev.minter.audit.AuditRecords;
import dev.minter.proto.v1.BeginTaskResponse;
import dev.minter.proto.v1.MintCredentialResponse;
import dev.minter.proto.v1.RevocationReceipt;
import dev.minter.proto.v1.RevocationStatus;
import io.grpc.Status;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole round trip against real OpenBao, real PostgreSQL and real mTLS. */
class TaskLifecycleIT {
  @TempDir static Path dir;
  static MinterFixture minter;

  @BeforeAll
  static void start() throws Exception {
    minter = new MinterFixture(dir).start();
  }

  @AfterAll
  static void stop() {
    minter.close();
  }

  @Test
  void mintThenComplete_credentialsWorkThenAreRefusedAndRoleIsDropped() throws Exception {
    try (Agent agent = new Agent(minter.channelFor(AGENT))) {
      BeginTaskResponse task = agent.begin("report:weekly", 300, "analytics-ro");
      assertThat(task.getTaskId()).startsWith("tsk_");
      assertThat(task.getRule()).isEqualTo("agents");
      assertThat(task.getTtl().getSeconds()).isEqualTo(300);

      MintCredentialResponse cred = agent.mint(task.getTaskId(), "analytics-ro");
      String user = cred.getDatabase().getUsername();
      assertThat(cred.getKind()).isEqualTo("database");
      assertThat(cred.getLeaseId()).startsWith("database/creds/analytics-ro/");
      assertThat(Postgres.countReportsAs(user, cred.getDatabase().getPassword())).isPositive();
      assertThat(Postgres.roleExists(user)).isTrue();

      RevocationReceipt receipt = agent.complete(task.getTaskId());

      assertThat(receipt.getReason()).isEqualTo("complete");
      assertThat(receipt.getRevokedBy()).isEqualTo(AGENT);
      assertThat(receipt.getToken()).isEqualTo(RevocationStatus.REVOKED);
      assertThat(receipt.getCredentialsList())
          .singleElement()
          .satisfies(c -> {
            assertThat(c.getLeaseId()).isEqualTo(cred.getLeaseId());
            assertThat(c.getStatus()).isEqualTo(RevocationStatus.REVOKED);
          });
      assertThatThrownBy(() -> Postgres.countReportsAs(user, cred.getDatabase().getPassword()))
          .isInstanceOf(SQLException.class);
      assertThat(Postgres.roleExists(user)).isFalse();
      assertThatThrownBy(() -> agent.mint(task.getTaskId(), "analytics-ro"))
          .satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION));
    }
  }

  @Test
  void shortTtl_credentialsRefusedAfterExpiryWithoutComplete_andExpiryIsRecorded() throws Exception {
    try (Agent agent = new Agent(minter.channelFor(AGENT))) {
      BeginTaskResponse task = agent.begin("report:short", 4, "analytics-ro");
      MintCredentialResponse cred = agent.mint(task.getTaskId(), "analytics-ro");
      String user = cred.getDatabase().getUsername();
      assertThat(Postgres.countReportsAs(user, cred.getDatabase().getPassword())).isPositive();

      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .untilAsserted(
              () ->
                  assertThatThrownBy(() -> Postgres.countReportsAs(user, cred.getDatabase().getPassword()))
                      .isInstanceOf(SQLException.class));
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(AuditRecords.read(minter.auditFile()))
                      .anySatisfy(r -> {
                        assertThat(r).containsEntry("event", "task.expire");
                        assertThat(r).containsEntry("task", task.getTaskId());
                      }));
    }
  }

  @Test
  void otherIdentity_cannotMintForOrCompleteSomeoneElsesTask() throws Exception {
    try (Agent owner = new Agent(minter.channelFor(AGENT));
        Agent other = new Agent(minter.channelFor(OTHER_AGENT))) {
      String taskId = owner.begin("report:mine", 120, "analytics-ro").getTaskId();

      assertThatThrownBy(() -> other.mint(taskId, "analytics-ro"))
          .satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
      assertThatThrownBy(() -> other.complete(taskId))
          .satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
      assertThat(AuditRecords.read(minter.auditFile()))
          .anySatisfy(r -> {
            assertThat(r).containsEntry("event", "policy.deny");
            assertThat(r).containsEntry("identity", OTHER_AGENT);
            assertThat(r).containsEntry("task", taskId);
          });
      // The owner's task is untouched and still completes.
      assertThat(owner.complete(taskId).getToken()).isEqualTo(RevocationStatus.REVOKED);
    }
  }

  @Test
  void unknownOrEndedTask_isRefusedWithClearStatus_andAudited() throws Exception {
    try (Agent agent = new Agent(minter.channelFor(AGENT))) {
      assertThatThrownBy(() -> agent.mint("tsk_000000000000000000000000", "analytics-ro"))
          .satisfies(e -> {
            Status status = Status.fromThrowable(e);
            assertThat(status.getCode()).isEqualTo(Status.Code.NOT_FOUND);
            assertThat(status.getDescription()).contains("task tsk_000000000000000000000000 not found");
          });
      assertThat(AuditRecords.read(minter.auditFile()).getLast())
          .containsEntry("event", "credential.mint")
          .containsEntry("decision", "not_found")
          .containsEntry("identity", AGENT);

      String taskId = agent.begin("report:twice", 60, "analytics-ro").getTaskId();
      agent.complete(taskId);
      assertThatThrownBy(() -> agent.complete(taskId))
          .satisfies(e -> {
            Status status = Status.fromThrowable(e);
            assertThat(status.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(status.getDescription()).contains("task " + taskId + " is completed");
          });
      assertThat(AuditRecords.read(minter.auditFile()).getLast())
          .containsEntry("event", "task.complete")
          .containsEntry("decision", "not_open")
          .containsEntry("task", taskId);
    }
  }

  @Test
  void vaultTokenRole_childTokenDiesWithTheTask() throws Exception {
    try (Agent agent = new Agent(minter.channelFor(AGENT))) {
      String taskId = agent.begin("report:vault", 120, "vault-token").getTaskId();
      MintCredentialResponse cred = agent.mint(taskId, "vault-token");
      assertThat(cred.getKind()).isEqualTo("vault-token");
      assertThat(cred.getVaultToken().getPoliciesList()).contains("agent-kv-read");
      assertThat(minter.stack.tokenAlive(cred.getVaultToken().getAccessor())).isTrue();

      RevocationReceipt receipt = agent.complete(taskId);

      assertThat(receipt.getCredentialsList()).singleElement()
          .satisfies(c -> assertThat(c.getStatus()).isIn(RevocationStatus.REVOKED, RevocationStatus.ALREADY_GONE));
      assertThat(minter.stack.tokenAlive(cred.getVaultToken().getAccessor())).isFalse();
    }
  }

  @Test
  void operatorRevoke_viaCli_killsCredentials_andNonAdminIsRefused() throws Exception {
    minter.svid("admin", ADMIN);
    minter.svid("agent-cli", AGENT);
    try (Agent agent = new Agent(minter.channel("agent-cli"))) {
      String taskId = agent.begin("report:revoke", 300, "analytics-ro").getTaskId();
      MintCredentialResponse cred = agent.mint(taskId, "analytics-ro");

      int refused = Main.commandLine().execute(args("revoke", minter.clientFiles("agent-cli"), "--task", taskId));
      assertThat(refused).isEqualTo(1);
      assertThat(Postgres.countReportsAs(cred.getDatabase().getUsername(), cred.getDatabase().getPassword()))
          .isPositive();

      int code =
          Main.commandLine()
              .execute(args("revoke", minter.clientFiles("admin"), "--task", taskId, "--reason", "test", "-o", "json"));

      assertThat(code).isZero();
      assertThatThrownBy(
              () -> Postgres.countReportsAs(cred.getDatabase().getUsername(), cred.getDatabase().getPassword()))
          .isInstanceOf(SQLException.class);
      assertThat(AuditRecords.read(minter.auditFile()))
          .anySatisfy(r -> {
            assertThat(r).containsEntry("event", "task.revoke");
            assertThat(r).containsEntry("task", taskId);
            assertThat(r).containsEntry("identity", ADMIN);
            assertThat(r).containsEntry("reason", "test");
          });
      assertThatThrownBy(() -> agent.complete(taskId))
          .satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION));
    }
  }

  @Test
  void restartedMinter_keepsServingOpenTasksFromTheLedger() throws Exception {
    minter.svid("restart-agent", AGENT);
    String taskId;
    try (Agent agent = new Agent(minter.channel("restart-agent"))) {
      taskId = agent.begin("report:restart", 300, "analytics-ro").getTaskId();
    }
    minter.restart();
    try (Agent agent = new Agent(minter.channel("restart-agent"))) {
      MintCredentialResponse cred = agent.mint(taskId, "analytics-ro");
      assertThat(Postgres.countReportsAs(cred.getDatabase().getUsername(), cred.getDatabase().getPassword()))
          .isPositive();
      assertThat(agent.complete(taskId).getCredentialsList()).hasSize(1);
    }
  }

  @Test
  void auditLog_recordsEveryStep_withoutSecrets() throws Exception {
    try (Agent agent = new Agent(minter.channelFor(AGENT))) {
      String taskId = agent.begin("report:audit", 120, "analytics-ro").getTaskId();
      MintCredentialResponse cred = agent.mint(taskId, "analytics-ro");
      agent.complete(taskId);

      List<Map<String, Object>> records = new ArrayList<>();
      for (Map<String, Object> r : AuditRecords.read(minter.auditFile())) {
        if (taskId.equals(r.get("task"))) {
          records.add(r);
        }
      }
      assertThat(records)
          .extracting(r -> r.get("event") + "/" + r.get("outcome"))
          .containsExactly(
              "task.begin/pending", "task.begin/ok", "credential.mint/pending", "credential.mint/issued",
              "task.complete/confirmed");
      assertThat(records.get(3))
          .containsEntry("username", cred.getDatabase().getUsername())
          .containsEntry("lease_id", cred.getLeaseId())
          .containsEntry("identity", AGENT)
          .containsEntry("attestor", "x509_svid");
      assertThat(java.nio.file.Files.readString(minter.auditFile())).doesNotContain(cred.getDatabase().getPassword());
    }
  }

  private static String[] args(String command, List<String> client, String... rest) {
    List<String> all = new ArrayList<>();
    all.add(command);
    all.addAll(client);
    all.addAll(List.of(rest));
    return all.toArray(String[]::new);
  }
}
