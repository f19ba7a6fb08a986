package dev.minter.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minter.attest.TestClock;
import dev.minter.audit.AuditEvent;
import dev.minter.audit.AuditLog;
import dev.minter.audit.AuditRecords;
import dev.minter.audit.AuditWriteException;
import dev.minter.audit.JsonlAuditLog;
import dev.minter.ledger.SqliteLedger;
import dev.minter.ledger.TaskRecord;
import dev.minter.ledger.TaskState;
import dev.minter.ledger.TokenCipher;
import dev.minter.policy.DelegationView;
import dev.minter.vault.Secret;
import dev.minter.vault.VaultGateway;
import dev.minter.vault.VaultGatewayConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The subtree walk's defences, on a real ledger with Vault unreachable (every revocation is queued to the outbox,
 * which is what these tests need: the tree handling, not Vault; Vault itself is in SubtreeRevocationIT).
 */
class TaskRevokerSubtreeTest {
  private static final Instant T0 = Instant.parse("2026-11-30T12:00:00Z");

  @TempDir Path dir;
  private SqliteLedger ledger;
  private JsonlAuditLog audit;
  private VaultGateway vault;
  private TaskRevoker revoker;

  @BeforeEach
  void open() {
    TestClock clock = new TestClock(T0);
    ledger = SqliteLedger.open(dir.resolve("ledger.db"), TokenCipher.loadOrCreate(dir.resolve("ledger.key")), clock);
    audit = JsonlAuditLog.open(dir.resolve("audit.jsonl"), clock);
    vault = new VaultGateway(new VaultGatewayConfig(URI.create("http://127.0.0.1:1"), () -> Secret.of("t"), "r",
        Duration.ofSeconds(1), Optional.empty()), clock);
    revoker = new TaskRevoker(vault, ledger, audit, clock);
  }

  @AfterEach
  void close() {
    vault.close();
    audit.close();
    ledger.close();
  }

  @Test
  void end_cyclicParentLinks_endsEachTaskOnceAndReturns() throws Exception {
    ledger.insertTask(task("x", "y"));
    ledger.insertTask(task("y", "x"));

    Receipt receipt = revoker.end(ledger.findTask("x").orElseThrow(), TaskState.REVOKED, "op", "test");

    assertThat(receipt.all()).extracting(Receipt::taskId).containsExactly("x", "y");
    assertThat(ledger.findTask("y").orElseThrow().state()).isEqualTo(TaskState.REVOKED);
    assertThat(AuditRecords.read(dir.resolve("audit.jsonl"))).extracting(r -> r.get("task")).containsExactly("y", "x");
  }

  @Test
  void end_deepChain_endsEveryTaskWithoutRecursionAndBoundsReceiptNesting() {
    int depth = 300;
    ledger.insertTask(task("d0", ""));
    for (int i = 1; i < depth; i++) {
      ledger.insertTask(task("d" + i, "d" + (i - 1)));
    }

    Receipt receipt = revoker.end(ledger.findTask("d0").orElseThrow(), TaskState.REVOKED, "op", null);

    assertThat(receipt.all()).hasSize(depth);
    assertThat(nesting(receipt)).isEqualTo(TaskRevoker.MAX_RECEIPT_NESTING);
    assertThat(ledger.findTask("d" + (depth - 1)).orElseThrow().state()).isEqualTo(TaskState.REVOKED);
    // Vault was unreachable: nothing is confirmed, and every token waits in the outbox.
    assertThat(receipt.confirmed()).isFalse();
    assertThat(ledger.dueRevocations(T0.plus(Duration.ofHours(1)), 1000)).hasSize(depth);
  }

  @Test
  void end_childEndedEarlier_isLeftOutOfTheReceipt() {
    ledger.insertTask(task("p", ""));
    ledger.insertTask(task("c1", "p"));
    ledger.insertTask(task("c2", "p"));
    ledger.closeTask("c1", TaskState.COMPLETED, T0);

    Receipt receipt = revoker.end(ledger.findTask("p").orElseThrow(), TaskState.COMPLETED, "agent", null);

    assertThat(receipt.children()).extracting(Receipt::taskId).containsExactly("c2");
    assertThat(ledger.findTask("c1").orElseThrow().state()).isEqualTo(TaskState.COMPLETED);
    assertThat(ledger.findTask("c2").orElseThrow().state()).isEqualTo(TaskState.REVOKED);
  }

  @Test
  void end_childsAuditRecordFails_stillEndsTheParentThenFailsTheCall() throws Exception {
    ledger.insertTask(task("p", ""));
    ledger.insertTask(task("c", "p"));
    ledger.insertTask(task("g", "c"));
    AuditLog failOnC = new AuditLog() {
      @Override
      public long append(AuditEvent event) {
        if ("c".equals(event.fields().get("task"))) {
          throw new AuditWriteException("disk full (test)", null);
        }
        return audit.append(event);
      }

      @Override
      public void close() {}
    };
    TaskRevoker failing = new TaskRevoker(vault, ledger, failOnC, new TestClock(T0));

    assertThatThrownBy(() -> failing.end(ledger.findTask("p").orElseThrow(), TaskState.REVOKED, "op", null))
        .isInstanceOf(AuditWriteException.class);

    assertThat(AuditRecords.read(dir.resolve("audit.jsonl"))).extracting(r -> r.get("task")).containsExactly("g", "p");
    // The parent's token revocation was still attempted (queued here: Vault is unreachable in this test).
    assertThat(ledger.dueRevocations(T0.plus(Duration.ofHours(1)), 10)).extracting(dev.minter.ledger.PendingRevocation::taskId)
        .containsExactly("g", "c", "p");
  }

  private static int nesting(Receipt r) {
    int depth = 1;
    while (!r.children().isEmpty()) {
      r = r.children().getFirst();
      depth++;
    }
    return depth;
  }

  private static TaskRecord task(String id, String parent) {
    return new TaskRecord(id, "spiffe://corp/agents/" + id, "x509_svid", "p", List.of("r"), "rule", Map.of(),
        Secret.of("hvs.test-" + id), "acc-" + id, T0, T0.plusSeconds(600), TaskState.OPEN, Map.of(), parent,
        DelegationView.NONE);
  }
}
