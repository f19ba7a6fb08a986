package dev.minter.ledger;

import static dev.minter.ledger.LedgerFixtures.T0;
import static dev.minter.ledger.LedgerFixtures.lease;
import static dev.minter.ledger.LedgerFixtures.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minter.vault.LeaseType;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteLedgerTest {
  @TempDir Path dir;
  private Path dbFile;
  private TokenCipher cipher;
  private SqliteLedger ledger;

  @BeforeEach
  void open() {
    dbFile = dir.resolve("state/ledger.db");
    cipher = TokenCipher.loadOrCreate(dir.resolve("keys/ledger.key"));
    ledger = reopen();
  }

  @AfterEach
  void close() {
    ledger.close();
  }

  @Test
  void insertTask_thenFind_returnsEveryFieldIncludingDecryptedToken() {
    TaskRecord task = task("task-1", T0.plusSeconds(900));

    ledger.insertTask(task);

    TaskRecord found = ledger.findTask("task-1").orElseThrow();
    assertThat(found).isEqualTo(task);
    assertThat(found.token().reveal()).isEqualTo(task.token().reveal());
  }

  @Test
  void findTask_unknownId_returnsEmpty() {
    assertThat(ledger.findTask("no-such-task")).isEmpty();
  }

  @Test
  void insertTask_duplicateId_throwsNamingOperationAndTask() {
    ledger.insertTask(task("task-1", T0.plusSeconds(900)));

    assertThatThrownBy(() -> ledger.insertTask(task("task-1", T0.plusSeconds(900))))
        .isInstanceOf(LedgerException.class)
        .hasMessageContaining("insertTask")
        .hasMessageContaining("task-1");
  }

  @Test
  void closeTask_openTask_winsOnceThenLoses() {
    ledger.insertTask(task("task-1", T0.plusSeconds(900)));

    assertThat(ledger.closeTask("task-1", TaskState.COMPLETED, T0.plusSeconds(60))).isTrue();
    assertThat(ledger.closeTask("task-1", TaskState.REVOKED, T0.plusSeconds(61))).isFalse();
    assertThat(ledger.findTask("task-1").orElseThrow().state()).isEqualTo(TaskState.COMPLETED);
  }

  @Test
  void closeTask_unknownTask_returnsFalse() {
    assertThat(ledger.closeTask("no-such-task", TaskState.REVOKED, T0)).isFalse();
  }

  @Test
  void closeTask_eightConcurrentCallers_exactlyOneWinsEachTime() throws Exception {
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int round = 0; round < 25; round++) {
        String taskId = "task-" + round;
        ledger.insertTask(task(taskId, T0.plusSeconds(900)));
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Boolean>> attempts = new ArrayList<>();
        for (int caller = 0; caller < 8; caller++) {
          TaskState state = caller % 2 == 0 ? TaskState.COMPLETED : TaskState.REVOKED;
          attempts.add(threads.submit(() -> {
            start.await();
            return ledger.closeTask(taskId, state, T0.plusSeconds(60));
          }));
        }
        start.countDown();
        int winners = 0;
        for (Future<Boolean> attempt : attempts) {
          winners += attempt.get() ? 1 : 0;
        }
        assertThat(winners).as("winners for %s", taskId).isEqualTo(1);
      }
    }
  }

  @Test
  void closeTask_toOpen_rejected() {
    assertThatThrownBy(() -> ledger.closeTask("task-1", TaskState.OPEN, T0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("state: OPEN");
  }

  @Test
  void openTasksExpiredAt_returnsOpenTasksAtOrBeforeNowOldestFirst() {
    ledger.insertTask(task("due-exactly-now", T0.plusSeconds(600)));
    ledger.insertTask(task("long-overdue", T0.plusSeconds(300)));
    ledger.insertTask(task("not-yet", T0.plusSeconds(601)));
    ledger.insertTask(task("overdue-but-completed", T0.plusSeconds(100)));
    ledger.closeTask("overdue-but-completed", TaskState.COMPLETED, T0.plusSeconds(50));

    List<TaskRecord> expired = ledger.openTasksExpiredAt(T0.plusSeconds(600));

    assertThat(expired).extracting(TaskRecord::taskId).containsExactly("long-overdue", "due-exactly-now");
  }

  @Test
  void leases_insertListAndMarkRevoked_roundTrips() {
    ledger.insertTask(task("task-1", T0.plusSeconds(900)));
    ledger.insertTask(task("task-2", T0.plusSeconds(900)));
    LeaseRecord later = lease("database/creds/ro/b", "task-1", T0.plusSeconds(20));
    LeaseRecord earlier = lease("database/creds/ro/a", "task-1", T0.plusSeconds(10));
    LeaseRecord token =
        new LeaseRecord("accessor-child", "task-1", "sub-agent", "vault-token", LeaseType.TOKEN,
            T0.plusSeconds(30), T0.plusSeconds(300), false);
    ledger.insertLease(later);
    ledger.insertLease(earlier);
    ledger.insertLease(token);
    ledger.insertLease(lease("database/creds/ro/other", "task-2", T0));

    ledger.markLeaseRevoked("database/creds/ro/b");

    assertThat(ledger.leases("task-1"))
        .containsExactly(
            earlier,
            new LeaseRecord(later.leaseId(), "task-1", later.role(), later.kind(), later.leaseType(),
                later.issuedAt(), later.expiresAt(), true),
            token);
    assertThat(ledger.leases("no-such-task")).isEmpty();
  }

  @Test
  void insertLease_unknownTask_throws() {
    assertThatThrownBy(() -> ledger.insertLease(lease("database/creds/ro/a", "no-such-task", T0)))
        .isInstanceOf(LedgerException.class)
        .hasMessageContaining("insertLease")
        .hasMessageContaining("no-such-task");
  }

  @Test
  void markLeaseRevoked_unknownLease_throws() {
    assertThatThrownBy(() -> ledger.markLeaseRevoked("database/creds/ro/never"))
        .isInstanceOf(LedgerException.class)
        .hasMessageContaining("database/creds/ro/never");
  }

  @Test
  void outbox_enqueueDueRetryComplete_servesOldestDueFirst() {
    ledger.enqueueRevocation("task-1", "lease-later", LeaseType.LEASE, T0.plusSeconds(20), "connection refused");
    ledger.enqueueRevocation("task-1", "lease-first", LeaseType.LEASE, T0.plusSeconds(10), "connection refused");
    ledger.enqueueRevocation("task-2", "accessor-tie", LeaseType.TOKEN, T0.plusSeconds(10), "503");
    ledger.enqueueRevocation("task-3", "not-due", LeaseType.LEASE, T0.plusSeconds(99), "timeout");

    List<PendingRevocation> due = ledger.dueRevocations(T0.plusSeconds(20), 10);
    assertThat(due).extracting(PendingRevocation::target)
        .containsExactly("lease-first", "accessor-tie", "lease-later");
    assertThat(due.get(1)).satisfies(p -> {
      assertThat(p.taskId()).isEqualTo("task-2");
      assertThat(p.type()).isEqualTo(LeaseType.TOKEN);
      assertThat(p.attempts()).isEqualTo(1);
      assertThat(p.nextAttempt()).isEqualTo(T0.plusSeconds(10));
      assertThat(p.lastError()).isEqualTo("503");
    });
    assertThat(ledger.dueRevocations(T0.plusSeconds(20), 2)).hasSize(2);

    ledger.retryRevocation(due.get(0).id(), T0.plusSeconds(50), "still refused");
    ledger.completeRevocation(due.get(1).id());

    assertThat(ledger.dueRevocations(T0.plusSeconds(20), 10)).extracting(PendingRevocation::target)
        .containsExactly("lease-later");
    PendingRevocation retried = ledger.dueRevocations(T0.plusSeconds(50), 10).get(1);
    assertThat(retried.target()).isEqualTo("lease-first");
    assertThat(retried.attempts()).isEqualTo(2);
    assertThat(retried.lastError()).isEqualTo("still refused");
  }

  @Test
  void dueRevocations_nonPositiveLimit_rejected() {
    assertThatThrownBy(() -> ledger.dueRevocations(T0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("limit: 0");
  }

  @Test
  void reopen_afterClose_keepsTasksLeasesAndOutbox() {
    TaskRecord task = task("task-1", T0.plusSeconds(900));
    ledger.insertTask(task);
    ledger.insertLease(lease("database/creds/ro/a", "task-1", T0));
    ledger.enqueueRevocation("task-1", "database/creds/ro/a", LeaseType.LEASE, T0, "connection refused");
    ledger.close();

    ledger = reopen();

    assertThat(ledger.findTask("task-1")).contains(task);
    assertThat(ledger.leases("task-1")).hasSize(1);
    assertThat(ledger.dueRevocations(T0, 10)).hasSize(1);
  }

  @Test
  void open_schemaFromNewerMinter_refused() throws Exception {
    ledger.close();
    try (Connection raw = DriverManager.getConnection("jdbc:sqlite:" + dbFile);
        Statement statement = raw.createStatement()) {
      statement.execute("INSERT INTO schema_version (version, applied_at) VALUES (99, 0)");
    }

    assertThatThrownBy(this::reopen)
        .isInstanceOf(LedgerException.class)
        .hasMessageContaining("schema version 99 is newer");
    ledger = reopen(dir.resolve("other.db")); // something for @AfterEach to close
  }

  @Test
  void anyCall_afterClose_throws() {
    ledger.close();

    assertThatThrownBy(() -> ledger.findTask("task-1"))
        .isInstanceOf(LedgerException.class)
        .hasMessageContaining("closed");
  }

  private SqliteLedger reopen() {
    return reopen(dbFile);
  }

  private SqliteLedger reopen(Path file) {
    return SqliteLedger.open(file, cipher, Clock.fixed(T0, ZoneOffset.UTC));
  }
}
