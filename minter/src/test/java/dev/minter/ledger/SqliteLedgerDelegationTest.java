package dev.minter.ledger;

import static dev.minter.ledger.LedgerFixtures.T0;
import static dev.minter.ledger.LedgerFixtures.randomToken;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minter.policy.DelegationView;
import dev.minter.policy.Glob;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Schema step 5: a task's parent and delegation survive the ledger, and children are found by parent. */
class SqliteLedgerDelegationTest {
  @TempDir Path dir;
  private SqliteLedger ledger;

  @BeforeEach
  void open() {
    ledger = SqliteLedger.open(dir.resolve("ledger.db"), TokenCipher.loadOrCreate(dir.resolve("ledger.key")),
        Clock.fixed(T0, ZoneOffset.UTC));
  }

  @AfterEach
  void close() {
    ledger.close();
  }

  @Test
  void insertTask_delegatedChild_readsBackParentChainAndScope() {
    DelegationView view = new DelegationView(
        List.of(DelegationView.Link.human("alice@corp.example"),
            DelegationView.Link.agent("spiffe://corp/agents/planner", "parent-1", "planners")),
        Optional.of(new DelegationView.Scope(Set.of("db-ro"), List.of(Glob.compile("report:*")),
            Optional.of(Duration.ofMinutes(5)))));
    ledger.insertTask(task("parent-1", "", DelegationView.NONE));
    ledger.insertTask(task("child-1", "parent-1", view));

    TaskRecord child = ledger.findTask("child-1").orElseThrow();
    assertThat(child.parentTaskId()).isEqualTo("parent-1");
    assertThat(child.isChild()).isTrue();
    assertThat(child.delegation().chain()).isEqualTo(view.chain());
    assertThat(child.delegation().human()).contains("alice@corp.example");
    assertThat(child.delegation().depth()).isEqualTo(1);
    DelegationView.Scope scope = child.delegation().scope().orElseThrow();
    assertThat(scope.roles()).containsExactly("db-ro");
    assertThat(scope.allowsPurpose("report:weekly")).isTrue();
    assertThat(scope.allowsPurpose("backup")).isFalse();
    assertThat(scope.maxTtl()).contains(Duration.ofMinutes(5));
  }

  @Test
  void findTask_undelegated_hasNoParentAndNoChain() {
    ledger.insertTask(task("top", "", DelegationView.NONE));

    TaskRecord top = ledger.findTask("top").orElseThrow();
    assertThat(top.isChild()).isFalse();
    assertThat(top.delegation()).isEqualTo(DelegationView.NONE);
  }

  @Test
  void children_listsOnlyDirectChildrenOldestFirst() {
    ledger.insertTask(task("p", "", DelegationView.NONE));
    ledger.insertTask(task("c1", "p", DelegationView.NONE));
    ledger.insertTask(task("c2", "p", DelegationView.NONE));
    ledger.insertTask(task("g1", "c1", DelegationView.NONE));

    assertThat(ledger.children("p")).extracting(TaskRecord::taskId).containsExactly("c1", "c2");
    assertThat(ledger.children("c1")).extracting(TaskRecord::taskId).containsExactly("g1");
    assertThat(ledger.children("g1")).isEmpty();
  }

  private static TaskRecord task(String id, String parent, DelegationView view) {
    return new TaskRecord(id, "spiffe://corp/agents/" + id, "x509_svid", "report:weekly", List.of("db-ro"), "r",
        Map.of(), randomToken(), "acc-" + id, T0, T0.plusSeconds(600), TaskState.OPEN, Map.of(), parent, view);
  }
}
