package dev.minter.ledger;

import static dev.minter.ledger.LedgerFixtures.T0;
import static dev.minter.ledger.LedgerFixtures.randomToken;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minter.policy.DelegationView;
import dev.minter.policy.DelegationView.Link;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The delegation selectors on a real SQLite ledger: {@code subtree} (a task and every descendant, through the
 * recursive query) and {@code delegator} (a subject anywhere in the chain), and who delegated to an agent.
 *
 * <pre>
 *   alice ─▶ planner p ─▶ helper c1 ─▶ leaf g1
 *                     └─▶ helper2 c2 (revoked)
 *   bob   ─▶ helper b;  planner also has an undelegated task "solo"
 * </pre>
 */
class SqliteLedgerSubtreeTest {
  static final String PLANNER = "spiffe://corp/agents/planner";
  static final String HELPER = "spiffe://corp/agents/helper";
  static final String HELPER2 = "spiffe://corp/agents/helper2";
  static final String LEAF = "spiffe://corp/agents/leaf";

  @TempDir Path dir;
  private SqliteLedger ledger;

  @BeforeEach
  void open() {
    ledger = SqliteLedger.open(dir.resolve("ledger.db"), TokenCipher.loadOrCreate(dir.resolve("ledger.key")),
        Clock.fixed(T0, ZoneOffset.UTC));
    Link alice = Link.human("alice@corp.example");
    Link planner = Link.agent(PLANNER, "p", "planners");
    Link helper = Link.agent(HELPER, "c1", "helpers");
    ledger.insertTask(task("p", PLANNER, "", 1, TaskState.OPEN, alice));
    ledger.insertTask(task("c1", HELPER, "p", 2, TaskState.OPEN, alice, planner));
    ledger.insertTask(task("c2", HELPER2, "p", 3, TaskState.REVOKED, alice, planner));
    ledger.insertTask(task("g1", LEAF, "c1", 4, TaskState.OPEN, alice, planner, helper));
    ledger.insertTask(task("solo", PLANNER, "", 5, TaskState.OPEN));
    ledger.insertTask(task("b", HELPER, "", 6, TaskState.OPEN, Link.human("bob@corp.example")));
  }

  @AfterEach
  void close() {
    ledger.close();
  }

  static Stream<Arguments> selections() {
    return Stream.of(
        Arguments.of("subtree of the root: itself and every descendant, any state", q("p", null, null),
            List.of("p", "c1", "c2", "g1")),
        Arguments.of("subtree of a middle task", q("c1", null, null), List.of("c1", "g1")),
        Arguments.of("subtree of a leaf", q("g1", null, null), List.of("g1")),
        Arguments.of("subtree, open only (as revoke asks)", q("p", null, TaskState.OPEN), List.of("p", "c1", "g1")),
        Arguments.of("subtree of an unknown task", q("nope", null, null), List.of()),
        Arguments.of("delegator human at the head of the chain", q(null, "alice@corp.example", null),
            List.of("p", "c1", "c2", "g1")),
        Arguments.of("delegator agent: what it handed on, not its own tasks", q(null, PLANNER, null),
            List.of("c1", "c2", "g1")),
        Arguments.of("delegator agent two hops up", q(null, HELPER, null), List.of("g1")),
        Arguments.of("delegator who never delegated", q(null, LEAF, null), List.of()),
        Arguments.of("delegator is exact, not a prefix", q(null, "alice", null), List.of()),
        Arguments.of("subtree and delegator combine", q("c1", PLANNER, null), List.of("c1", "g1")),
        Arguments.of("delegator, open only", q(null, PLANNER, TaskState.OPEN), List.of("c1", "g1")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("selections")
  void findTasks_delegationSelectors_selectExactly(String name, TaskQuery query, List<String> expected) {
    assertThat(ledger.findTasks(query, 100, null)).extracting(TaskRecord::taskId).containsExactlyElementsOf(expected);
  }

  @Test
  void findTasks_delegatorAcrossPages_keepsOrderAndLosesNothing() {
    TaskQuery byAlice = q(null, "alice@corp.example", null);
    List<TaskRecord> first = ledger.findTasks(byAlice, 3, null);
    List<TaskRecord> second = ledger.findTasks(byAlice, 3, first.getLast().taskId());

    assertThat(first).extracting(TaskRecord::taskId).containsExactly("p", "c1", "c2");
    assertThat(second).extracting(TaskRecord::taskId).containsExactly("g1");
  }

  @Test
  void findTasks_subtreeWithCyclicParentLinks_terminatesWithEachTaskOnce() {
    // Impossible through Minter (a child is created after its parent), but a hand-edited ledger must not hang a revoke.
    ledger.insertTask(task("x", LEAF, "y", 7, TaskState.OPEN));
    ledger.insertTask(task("y", LEAF, "x", 8, TaskState.OPEN));

    assertThat(ledger.findTasks(q("x", null, null), 100, null)).extracting(TaskRecord::taskId).containsExactly("x", "y");
  }

  @Test
  void delegatorsOf_listsDistinctSubjectsNewestFirst_andCaps() {
    assertThat(ledger.delegatorsOf(HELPER, 10)).containsExactly("bob@corp.example", "alice@corp.example", PLANNER);
    assertThat(ledger.delegatorsOf(HELPER, 2)).containsExactly("bob@corp.example", "alice@corp.example");
    assertThat(ledger.delegatorsOf(LEAF, 10)).containsExactly("alice@corp.example", PLANNER, HELPER);
    assertThat(ledger.delegatorsOf("spiffe://corp/agents/unknown", 10)).isEmpty();
  }

  @Test
  void delegatorsOf_agentWithOnlyHumanDelegationAndOwnTasks_listsTheHumanOnly() {
    assertThat(ledger.delegatorsOf(PLANNER, 10)).containsExactly("alice@corp.example");
  }

  private static TaskQuery q(String subtree, String delegator, TaskState state) {
    return new TaskQuery(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.ofNullable(state), Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.ofNullable(subtree), Optional.ofNullable(delegator));
  }

  private static TaskRecord task(String id, String agent, String parent, int second, TaskState state, Link... chain) {
    DelegationView view = chain.length == 0 ? DelegationView.NONE : new DelegationView(List.of(chain), Optional.empty());
    return new TaskRecord(id, agent, "x509_svid", "report:weekly", List.of("db-ro"), "rule", Map.of(), randomToken(),
        "acc-" + id, T0.plusSeconds(second), T0.plusSeconds(3600), state, Map.of(), parent, view);
  }
}
