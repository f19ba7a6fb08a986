package dev.minter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import dev.minter.proto.v1.CredentialRevocation;
import dev.minter.proto.v1.DelegationLink;
import dev.minter.proto.v1.RevocationReceipt;
import dev.minter.proto.v1.RevocationStatus;
import dev.minter.proto.v1.TaskInfo;
import dev.minter.proto.v1.TaskState;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What an operator reads about delegation: chains, a task's parent and children, and receipts of whole subtrees. */
class DelegationRenderingTest {
  private static final Timestamp T = Timestamp.newBuilder().setSeconds(1_796_040_000L).build();

  @Test
  void chain_humanThenAgents_readsLeftToRightWithTasks() {
    List<DelegationLink> chain = List.of(
        link("human", "alice@corp", ""),
        link("agent", "spiffe://corp/agents/planner", "t1"),
        link("agent", "spiffe://corp/agents/helper", "t2"));

    assertThat(TasksShowCommand.chain(chain))
        .isEqualTo("alice@corp → spiffe://corp/agents/planner (task t1) → spiffe://corp/agents/helper (task t2)");
  }

  @Test
  void table_childTask_showsParentChildrenWithStatesAndChain() {
    TaskInfo task = task("t2", TaskState.TASK_STATE_OPEN).toBuilder()
        .setParentTaskId("t1")
        .addChain(link("human", "alice@corp", ""))
        .addChain(link("agent", "spiffe://corp/agents/planner", "t1"))
        .addChain(link("agent", "spiffe://corp/agents/t2", "t2"))
        .build();

    String table = TasksShowCommand.table(task,
        List.of(task("t3", TaskState.TASK_STATE_OPEN), task("t4", TaskState.TASK_STATE_REVOKED)));

    assertThat(table)
        .contains("parent    t1\n")
        .contains("children  t3 (open), t4 (revoked)\n")
        .contains("chain     alice@corp → spiffe://corp/agents/planner (task t1) → spiffe://corp/agents/t2 (task t2)\n");
  }

  @Test
  void table_topLevelTask_saysSoAndWhenChildrenAreUnknown() {
    String table = TasksShowCommand.table(task("t1", TaskState.TASK_STATE_OPEN), null);

    assertThat(table)
        .contains("parent    none (top-level task)")
        .contains("children  unknown")
        .contains("chain     none (not delegated)");
  }

  @Test
  void render_receiptWithSubtree_indentsChildrenUnderTheirParent() {
    RevocationReceipt grand = receipt("g", RevocationStatus.REVOKED).toBuilder()
        .addCredentials(CredentialRevocation.newBuilder().setLeaseId("database/creds/ro/g1").setRole("ro")
            .setKind("database").setStatus(RevocationStatus.REVOKED))
        .build();
    RevocationReceipt child = receipt("c", RevocationStatus.REVOKED).toBuilder().addChildren(grand).build();
    RevocationReceipt root = receipt("p", RevocationStatus.REVOKED).toBuilder().setReason("complete")
        .addChildren(child).build();

    String text = Receipts.render(root, "table");

    assertThat(text.lines().toList()).containsSubsequence(
        "task        p",
        "child tasks 1 ended first (delegated from p)",
        "  task        c",
        "  child tasks 1 ended first (delegated from c)",
        "    task        g");
    assertThat(text).contains("    credential  ro            database     revoked        database/creds/ro/g1");
    assertThat(Receipts.tasks(root)).isEqualTo(3);
    assertThat(Receipts.confirmed(root)).isTrue();
  }

  @Test
  void confirmed_queuedGrandchild_isNotConfirmed() {
    RevocationReceipt root = receipt("p", RevocationStatus.REVOKED).toBuilder()
        .addChildren(receipt("c", RevocationStatus.REVOKED).toBuilder()
            .addChildren(receipt("g", RevocationStatus.FAILED_QUEUED)))
        .build();

    assertThat(Receipts.confirmed(root)).isFalse();
  }

  private static DelegationLink link(String kind, String subject, String task) {
    return DelegationLink.newBuilder().setKind(kind).setSubject(subject).setTaskId(task).build();
  }

  private static TaskInfo task(String id, TaskState state) {
    return TaskInfo.newBuilder().setTaskId(id).setState(state).setAgent("spiffe://corp/agents/" + id)
        .setCreatedAt(T).setExpiresAt(T).build();
  }

  private static RevocationReceipt receipt(String id, RevocationStatus token) {
    return RevocationReceipt.newBuilder().setTaskId(id).setReason("revoke").setToken(token).setRevokedAt(T)
        .setRevokedBy("spiffe://corp/operators/bob").build();
  }
}
