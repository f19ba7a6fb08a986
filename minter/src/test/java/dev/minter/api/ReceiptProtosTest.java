package dev.minter.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minter.ledger.TaskRecord;
import dev.minter.ledger.TaskState;
import dev.minter.policy.DelegationView;
import dev.minter.policy.DelegationView.Link;
import dev.minter.proto.v1.DelegationLink;
import dev.minter.proto.v1.RevocationReceipt;
import dev.minter.proto.v1.RevocationStatus;
import dev.minter.proto.v1.TaskInfo;
import dev.minter.task.Receipt;
import dev.minter.vault.Secret;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Receipts keep their subtree on the wire; tasks show their parent and their chain ending with themselves. */
class ReceiptProtosTest {
  private static final Instant T = Instant.parse("2026-11-30T12:00:00Z");

  @Test
  void toProto_nestedChildren_areMappedRecursively() {
    Receipt grand = new Receipt("g", "revoke", List.of(
        new Receipt.Item("database/creds/x/1", "x", "database", dev.minter.task.RevocationStatus.REVOKED, "")),
        dev.minter.task.RevocationStatus.REVOKED, T, "op");
    Receipt child = new Receipt("c", "revoke", List.of(), dev.minter.task.RevocationStatus.FAILED_QUEUED, T, "op",
        List.of(grand));
    Receipt root = new Receipt("p", "complete", List.of(), dev.minter.task.RevocationStatus.REVOKED, T, "op",
        List.of(child));

    RevocationReceipt proto = ReceiptProtos.toProto(root);

    assertThat(proto.getChildrenList()).singleElement().satisfies(c -> {
      assertThat(c.getTaskId()).isEqualTo("c");
      assertThat(c.getToken()).isEqualTo(RevocationStatus.FAILED_QUEUED);
      assertThat(c.getChildren(0).getTaskId()).isEqualTo("g");
      assertThat(c.getChildren(0).getCredentials(0).getLeaseId()).isEqualTo("database/creds/x/1");
    });
  }

  @Test
  void info_childTask_hasParentAndChainEndingWithItsOwnAgent() {
    TaskRecord child = task("c", "p", new DelegationView(
        List.of(Link.human("alice@corp"), Link.agent("spiffe://corp/planner", "p", "planners")), Optional.empty()));

    TaskInfo info = AdminTasks.info(child, List.of());

    assertThat(info.getParentTaskId()).isEqualTo("p");
    assertThat(info.getChainList()).extracting(DelegationLink::getKind, DelegationLink::getSubject, DelegationLink::getTaskId)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("human", "alice@corp", ""),
            org.assertj.core.groups.Tuple.tuple("agent", "spiffe://corp/planner", "p"),
            org.assertj.core.groups.Tuple.tuple("agent", "spiffe://corp/c", "c"));
    assertThat(info.getChain(2).getRule()).isEqualTo("rule");
  }

  @Test
  void info_undelegatedTask_hasNoParentAndOnlyItsOwnLink() {
    TaskInfo info = AdminTasks.info(task("t", "", DelegationView.NONE), List.of());

    assertThat(info.getParentTaskId()).isEmpty();
    assertThat(info.getChainList())
        .extracting(DelegationLink::getKind, DelegationLink::getSubject, DelegationLink::getTaskId)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("agent", "spiffe://corp/t", "t"));
  }

  private static TaskRecord task(String id, String parent, DelegationView view) {
    return new TaskRecord(id, "spiffe://corp/" + id, "x509_svid", "p", List.of("r"), "rule", Map.of(),
        Secret.of("hvs.test"), "acc-" + id, T, T.plusSeconds(60), TaskState.OPEN, Map.of(), parent, view);
  }
}
