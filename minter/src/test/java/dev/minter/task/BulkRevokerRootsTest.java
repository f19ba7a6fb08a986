package dev.minter.task;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minter.ledger.TaskRecord;
import dev.minter.ledger.TaskState;
import dev.minter.policy.DelegationView;
import dev.minter.vault.Secret;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which selected tasks a bulk revoke hands to the revoker: one per subtree, and never a task left unreachable. */
class BulkRevokerRootsTest {
  private static final Instant T = Instant.parse("2026-11-30T12:00:00Z");

  @Test
  void roots_childOfSelectedParent_isNotARoot() {
    List<TaskRecord> set = List.of(task("p", ""), task("c", "p"), task("g", "c"), task("other", ""));

    assertThat(BulkRevoker.roots(set)).extracting(TaskRecord::taskId).containsExactly("p", "other");
  }

  @Test
  void roots_childWhoseParentIsNotSelected_isARoot() {
    assertThat(BulkRevoker.roots(List.of(task("c", "p-not-selected"), task("g", "c"))))
        .extracting(TaskRecord::taskId).containsExactly("c");
  }

  @Test
  void roots_cycleWithNoOutsideParent_stillGetsOneRoot() {
    List<TaskRecord> roots = BulkRevoker.roots(List.of(task("x", "y"), task("y", "x")));

    assertThat(roots).extracting(TaskRecord::taskId).containsExactly("x");
  }

  private static TaskRecord task(String id, String parent) {
    return new TaskRecord(id, "spiffe://corp/" + id, "x509_svid", "p", List.of("r"), "rule", Map.of(),
        Secret.of("hvs.test"), "acc-" + id, T, T.plusSeconds(60), TaskState.OPEN, Map.of(), parent,
        DelegationView.NONE);
  }
}
