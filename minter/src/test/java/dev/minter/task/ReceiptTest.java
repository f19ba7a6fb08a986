package dev.minter.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A receipt speaks for its whole subtree: confirmed only when every child is, listed parents first. */
class ReceiptTest {
  private static final Instant T = Instant.parse("2026-11-30T12:00:00Z");

  @Test
  void confirmed_queuedGrandchild_makesTheRootUnconfirmed() {
    Receipt grand = receipt("g", RevocationStatus.FAILED_QUEUED, List.of());
    Receipt child = receipt("c", RevocationStatus.REVOKED, List.of(grand));
    Receipt root = receipt("p", RevocationStatus.REVOKED, List.of(child, receipt("c2", RevocationStatus.REVOKED, List.of())));

    assertThat(root.confirmedHere()).isTrue();
    assertThat(root.confirmed()).isFalse();
    assertThat(root.all()).extracting(Receipt::taskId).containsExactly("p", "c", "g", "c2");
  }

  @Test
  void confirmed_allRevokedOrAlreadyGone_isTrue() {
    Receipt root = receipt("p", RevocationStatus.ALREADY_GONE, List.of(receipt("c", RevocationStatus.REVOKED, List.of())));

    assertThat(root.confirmed()).isTrue();
  }

  private static Receipt receipt(String id, RevocationStatus token, List<Receipt> children) {
    return new Receipt(id, "revoke", List.of(), token, T, "op", children);
  }
}
