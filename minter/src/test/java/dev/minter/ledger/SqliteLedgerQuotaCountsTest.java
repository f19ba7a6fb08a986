package dev.minter.ledger;

import static dev.minter.ledger.LedgerFixtures.T0;
import static dev.minter.ledger.LedgerFixtures.lease;
import static dev.minter.ledger.LedgerFixtures.randomToken;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The counts quotas are enforced from: their boundaries, and owners taken from the inventory. */
class SqliteLedgerQuotaCountsTest {
  private static final String BOT = "spiffe://corp.example/agents/bot";
  private static final String OTHER = "spiffe://corp.example/agents/other";
  private static final String STRANGER = "spiffe://corp.example/agents/stranger";

  @TempDir Path dir;
  private SqliteLedger ledger;

  @BeforeEach
  void open() {
    ledger = SqliteLedger.open(dir.resolve("ledger.db"), TokenCipher.loadOrCreate(dir.resolve("ledger.key")),
        Clock.fixed(T0, ZoneOffset.UTC));
    ledger.register(BOT, "team", "", T0);
    ledger.register(OTHER, "team", "", T0);
    ledger.recordSeen(STRANGER, "x509_svid", T0); // no owner: ""
  }

  @AfterEach
  void close() {
    ledger.close();
  }

  private TaskRecord insert(String id, String agent, TaskState state, long expiresInSeconds) {
    TaskRecord task = new TaskRecord(id, agent, "x509_svid", "p", List.of("r"), "rule", Map.of(), randomToken(),
        "accessor-" + id, T0, T0.plusSeconds(expiresInSeconds), state);
    ledger.insertTask(task);
    return task;
  }

  @Test
  void countOpenTasks_onlyOpenAndUnexpiredAtNow_perAgentAndPerOwner() {
    insert("t1", BOT, TaskState.OPEN, 60);
    insert("t2", BOT, TaskState.OPEN, 0); // expires exactly now: already dead
    insert("t3", BOT, TaskState.EXPIRED, 60);
    insert("t4", OTHER, TaskState.OPEN, 60);
    insert("t5", STRANGER, TaskState.OPEN, 60);

    assertThat(ledger.countOpenTasks(BOT, T0)).isEqualTo(1);
    assertThat(ledger.countOpenTasksOfOwner("team", T0)).isEqualTo(2);
    assertThat(ledger.countOpenTasksOfOwner("nobody", T0)).isZero();
    assertThat(ledger.countOpenTasks(BOT, T0.plusSeconds(60))).isZero();
  }

  @Test
  void countMintsSince_includesTheBoundary_andMintsOfEndedTasks() {
    TaskRecord open = insert("t1", BOT, TaskState.OPEN, 600);
    TaskRecord ended = insert("t2", OTHER, TaskState.COMPLETED, 600);
    ledger.insertLease(lease("l1", open.taskId(), T0.minusSeconds(60)));
    ledger.insertLease(lease("l2", open.taskId(), T0.minusSeconds(61)));
    ledger.insertLease(lease("l3", ended.taskId(), T0));

    assertThat(ledger.countMintsSince(BOT, T0.minusSeconds(60))).isEqualTo(1);
    assertThat(ledger.countMintsSince(OTHER, T0.minusSeconds(60))).isEqualTo(1);
    assertThat(ledger.countMintsOfOwnerSince("team", T0.minusSeconds(60))).isEqualTo(2);
  }

  @Test
  void countOpenChildren_onlyOpenUnexpiredDirectChildren() {
    insert("p", BOT, TaskState.OPEN, 600);
    child("c1", "p", TaskState.OPEN, 60);
    child("c2", "p", TaskState.COMPLETED, 60);
    child("c3", "p", TaskState.OPEN, 0); // expires exactly now: already dead
    child("g1", "c1", TaskState.OPEN, 60); // a grandchild is c1's fan-out, not p's

    assertThat(ledger.countOpenChildren("p", T0)).isEqualTo(1);
    assertThat(ledger.countOpenChildren("c1", T0)).isEqualTo(1);
    assertThat(ledger.countOpenChildren("g1", T0)).isZero();
  }

  private void child(String id, String parent, TaskState state, long expiresInSeconds) {
    ledger.insertTask(new TaskRecord(id, OTHER, "x509_svid", "p", List.of("r"), "rule", Map.of(), randomToken(),
        "accessor-" + id, T0, T0.plusSeconds(expiresInSeconds), state, Map.of(), parent,
        dev.minter.policy.DelegationView.NONE));
  }

  @Test
  void ownerCounts_blankOwner_isRefusedRatherThanLumpingUnregisteredAgentsTogether() {
    assertThatThrownBy(() -> ledger.countOpenTasksOfOwner("", T0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ledger.countMintsOfOwnerSince(" ", T0)).isInstanceOf(IllegalArgumentException.class);
  }
}
