package dev.minter.ledger;

import static dev.minter.ledger.LedgerFixtures.T0;
import static dev.minter.ledger.LedgerFixtures.randomToken;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minter.policy.Glob;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
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

/** {@link SqliteLedger#findTasks}: every selector dimension, paging, and the claims kept since schema step 3. */
class SqliteLedgerFindTasksTest {
  @TempDir Path dir;
  private SqliteLedger ledger;

  @BeforeEach
  void open() {
    ledger = SqliteLedger.open(dir.resolve("ledger.db"), TokenCipher.loadOrCreate(dir.resolve("ledger.key")),
        Clock.fixed(T0, ZoneOffset.UTC));
    ledger.insertTask(task("t1", "spiffe://corp/agents/bot-a", "x509_svid", "report:daily", List.of("db-ro"),
        Map.of(), 1, TaskState.OPEN));
    ledger.insertTask(task("t2", "spiffe://corp/agents/bot-b", "aws_iid", "report:weekly", List.of("db-ro", "kv"),
        Map.of("aws.instance_id", "i-123"), 2, TaskState.OPEN));
    ledger.insertTask(task("t3", "spiffe://corp/agents/team/bot-c", "aws_iid", "backup", List.of("kv"),
        Map.of("aws.instance_id", "i-456"), 3, TaskState.REVOKED));
  }

  @AfterEach
  void close() {
    ledger.close();
  }

  static Stream<Arguments> queries() {
    return Stream.of(
        Arguments.of("any", TaskQuery.ANY, List.of("t1", "t2", "t3")),
        Arguments.of("task id", q(Optional.of("t2"), null, null, null, null, null, null), List.of("t2")),
        Arguments.of("agent exact", q(null, "spiffe://corp/agents/bot-a", null, null, null, null, null), List.of("t1")),
        Arguments.of("agent * stays in a segment", q(null, "spiffe://corp/agents/*", null, null, null, null, null),
            List.of("t1", "t2")),
        Arguments.of("agent ** crosses segments", q(null, "spiffe://corp/**", null, null, null, null, null),
            List.of("t1", "t2", "t3")),
        Arguments.of("purpose glob", q(null, null, "report:*", null, null, null, null), List.of("t1", "t2")),
        Arguments.of("role", q(null, null, null, "kv", null, null, null), List.of("t2", "t3")),
        Arguments.of("attestor", q(null, null, null, null, "aws_iid", null, null), List.of("t2", "t3")),
        Arguments.of("source claim", q(null, null, null, null, null, "aws.instance_id=i-456", null), List.of("t3")),
        Arguments.of("state", q(null, null, null, null, null, null, TaskState.OPEN), List.of("t1", "t2")),
        Arguments.of("fields combine with AND", q(null, null, null, "kv", "aws_iid", null, TaskState.OPEN),
            List.of("t2")),
        Arguments.of("nothing matches", q(null, null, null, "nope", null, null, null), List.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("queries")
  void findTasks_selector_returnsExactlyTheMatchingTasksOldestFirst(String name, TaskQuery query, List<String> ids) {
    assertThat(ledger.findTasks(query, 100, null)).extracting(TaskRecord::taskId).containsExactlyElementsOf(ids);
  }

  @Test
  void findTasks_pagesWithAfterTaskId_visitEachMatchOnce() {
    for (int i = 10; i < 35; i++) {
      ledger.insertTask(task("p" + i, "spiffe://corp/agents/pager", "x509_svid", "demo", List.of("kv"), Map.of(),
          100 + i, TaskState.OPEN));
    }
    TaskQuery pager = q(null, "spiffe://corp/agents/pager", null, null, null, null, null);
    List<String> seen = new ArrayList<>();
    String after = null;
    List<TaskRecord> page;
    do {
      page = ledger.findTasks(pager, 10, after);
      page.forEach(t -> seen.add(t.taskId()));
      after = page.isEmpty() ? null : page.getLast().taskId();
    } while (page.size() == 10);

    assertThat(seen).hasSize(25).doesNotHaveDuplicates().startsWith("p10").endsWith("p34");
  }

  @Test
  void findTasks_rareMatchBehindManyNonMatchingRows_isFoundAcrossBatches() {
    for (int i = 0; i < 1200; i++) {
      ledger.insertTask(task("n" + i, "spiffe://corp/agents/noise", "x509_svid", "noise", List.of("kv"), Map.of(),
          10 + i, TaskState.OPEN));
    }
    ledger.insertTask(task("rare", "spiffe://corp/agents/rare-1", "x509_svid", "x", List.of("kv"), Map.of(), 5000,
        TaskState.OPEN));

    assertThat(ledger.findTasks(q(null, "spiffe://corp/agents/rare-*", null, null, null, null, null), 1, null))
        .extracting(TaskRecord::taskId).containsExactly("rare");
  }

  @Test
  void findTasks_unknownPageToken_isRefused() {
    assertThatThrownBy(() -> ledger.findTasks(TaskQuery.ANY, 10, "nope"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown task nope");
  }

  @Test
  void insertTask_claims_areReadBack() {
    assertThat(ledger.findTask("t2").orElseThrow().claims()).containsExactly(Map.entry("aws.instance_id", "i-123"));
  }

  private static TaskQuery q(Optional<String> id, String agent, String purpose, String role, String attestor,
      String source, TaskState state) {
    return new TaskQuery(id == null ? Optional.empty() : id, Optional.ofNullable(agent).map(Glob::compile),
        Optional.ofNullable(purpose).map(Glob::compile), Optional.ofNullable(role), Optional.ofNullable(attestor),
        Optional.ofNullable(source).map(TaskQuery.Claim::parse), Optional.ofNullable(state), Optional.empty(),
        Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
  }

  private static TaskRecord task(String id, String agent, String attestor, String purpose, List<String> roles,
      Map<String, String> claims, int second, TaskState state) {
    return new TaskRecord(id, agent, attestor, purpose, roles, "rule", Map.of(), randomToken(), "acc-" + id,
        T0.plusSeconds(second), T0.plusSeconds(3600), state, claims);
  }
}
