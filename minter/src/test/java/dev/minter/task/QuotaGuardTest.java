package dev.minter.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minter.attest.TestClock;
import dev.minter.attest.WorkloadIdentity;
import dev.minter.audit.AuditRecords;
import dev.minter.audit.JsonlAuditLog;
import dev.minter.ledger.LeaseRecord;
import dev.minter.ledger.SqliteLedger;
import dev.minter.ledger.TaskRecord;
import dev.minter.ledger.TaskState;
import dev.minter.ledger.TokenCipher;
import dev.minter.policy.AgentView;
import dev.minter.policy.DelegationView;
import dev.minter.policy.Grant;
import dev.minter.policy.PolicyContext;
import dev.minter.policy.PolicyEngine;
import dev.minter.policy.PolicyFile;
import dev.minter.vault.LeaseType;
import dev.minter.vault.Secret;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Quotas counted from a real SQLite ledger, refusals written to a real audit log, time from a test clock. */
class QuotaGuardTest {
  private static final Instant T0 = Instant.parse("2026-11-30T12:00:00Z");
  private static final String BOT = "spiffe://corp.example/agents/bot";
  private static final String OTHER = "spiffe://corp.example/agents/other";
  private static final String THIRD = "spiffe://corp.example/agents/third";
  private static final String TEAM = "team-data@corp.example";
  private static final String ROLES = "roles:\n  r: {kind: database, path: database/creds/r, vault_policies: [p]}\n"
      + "rules: []\nquotas:\n";

  @TempDir Path dir;
  private TestClock clock;
  private SqliteLedger ledger;
  private JsonlAuditLog audit;
  private QuotaGuard guard;
  private int taskSeq;

  @BeforeEach
  void open() {
    clock = new TestClock(T0);
    ledger = openLedger();
    audit = JsonlAuditLog.open(dir.resolve("audit.jsonl"), clock);
    guard = new QuotaGuard(ledger, audit, clock);
  }

  @AfterEach
  void close() {
    audit.close();
    ledger.close();
  }

  private SqliteLedger openLedger() {
    return SqliteLedger.open(dir.resolve("ledger.db"), TokenCipher.loadOrCreate(dir.resolve("ledger.key")), clock);
  }

  private static PolicyEngine policy(String entries) {
    return PolicyFile.parse(ROLES + entries, "quotas.yaml");
  }

  private static WorkloadIdentity id(String spiffeId) {
    return new WorkloadIdentity(spiffeId, "x509_svid", Map.of());
  }

  private PolicyContext context(String owner) {
    return new PolicyContext(
        clock.instant(), Map.of(), new AgentView(owner, "active", Optional.empty(), Optional.empty()),
        DelegationView.NONE, Map.of());
  }

  private void begin(String agent, String owner, PolicyEngine policy, Duration ttl) {
    guard.beforeBegin(id(agent), new BeginTaskCommand("report:q3", Optional.of(ttl), List.of("r"), Map.of()),
        new Grant("rule", List.of(), ttl, List.of("p")), context(owner), policy);
  }

  private void begin(String agent, String owner, PolicyEngine policy) {
    begin(agent, owner, policy, Duration.ofMinutes(5));
  }

  private void mint(String agent, String owner, PolicyEngine policy) {
    guard.beforeMint(id(agent), task(agent, TaskState.OPEN, T0.plusSeconds(3600)), "r", context(owner), policy);
  }

  /** A task row of {@code agent} as TaskService writes it. */
  private TaskRecord insertTask(String agent, TaskState state, Instant expiresAt) {
    TaskRecord task = task(agent, state, expiresAt);
    ledger.insertTask(task);
    return task;
  }

  private TaskRecord task(String agent, TaskState state, Instant expiresAt) {
    String taskId = "task-" + (++taskSeq);
    return new TaskRecord(taskId, agent, "x509_svid", "report:q3", List.of("r"), "rule", Map.of(),
        Secret.of("hvs.test-" + taskId), "accessor-" + taskId, T0, expiresAt, state);
  }

  private void insertLease(TaskRecord task, Instant issuedAt) {
    ledger.insertLease(new LeaseRecord("lease-" + (++taskSeq), task.taskId(), "r", "database", LeaseType.LEASE,
        issuedAt, issuedAt.plusSeconds(600), false));
  }

  private Map<String, Object> lastAudit() throws Exception {
    return AuditRecords.read(dir.resolve("audit.jsonl")).getLast();
  }

  @Test
  void beforeBegin_agentAtMaxConcurrentTasks_isRefusedWithQuotaAndAudited() throws Exception {
    PolicyEngine policy = policy("  - {agents: ['spiffe://corp.example/agents/*'], max_concurrent_tasks: 2}\n");
    insertTask(BOT, TaskState.OPEN, T0.plusSeconds(600));
    insertTask(BOT, TaskState.OPEN, T0.plusSeconds(600));

    assertThatThrownBy(() -> begin(BOT, "", policy))
        .isInstanceOf(TaskException.class)
        .hasFieldOrPropertyWithValue("kind", TaskException.Kind.QUOTA)
        .hasMessage("quota max_concurrent_tasks exceeded for agent " + BOT + ": 2 open tasks (max 2)");
    assertThat(lastAudit())
        .containsEntry("event", "quota.exceeded")
        .containsEntry("identity", BOT)
        .containsEntry("role", "r")
        .containsEntry("purpose", "report:q3")
        .containsEntry("limit", "max_concurrent_tasks")
        .containsEntry("scope", "agent")
        .containsEntry("observed", "2")
        .containsEntry("max", "2")
        .containsEntry("decision", "deny")
        .doesNotContainKey("task");
  }

  @Test
  void beforeBegin_closedAndExpiredTasksAndOtherAgents_areNotCounted() {
    PolicyEngine policy = policy("  - {agents: ['spiffe://corp.example/agents/*'], max_concurrent_tasks: 2}\n");
    insertTask(BOT, TaskState.OPEN, T0.plusSeconds(600));
    insertTask(BOT, TaskState.COMPLETED, T0.plusSeconds(600));
    insertTask(BOT, TaskState.REVOKED, T0.plusSeconds(600));
    insertTask(BOT, TaskState.OPEN, T0); // past its TTL, not swept yet: dead all the same
    insertTask(OTHER, TaskState.OPEN, T0.plusSeconds(600));

    assertThatCode(() -> begin(BOT, "", policy)).doesNotThrowAnyException();
  }

  @Test
  void beforeBegin_ownerAtMaxConcurrentTasks_isRefusedForEveryAgentOfThatOwnerOnly() throws Exception {
    PolicyEngine policy = policy("  - {owners: ['" + TEAM + "'], max_concurrent_tasks: 2}\n");
    ledger.register(BOT, TEAM, "", T0);
    ledger.register(OTHER, TEAM, "", T0);
    ledger.register(THIRD, "team-web@corp.example", "", T0);
    insertTask(BOT, TaskState.OPEN, T0.plusSeconds(600));
    insertTask(OTHER, TaskState.OPEN, T0.plusSeconds(600));

    assertThatThrownBy(() -> begin(BOT, TEAM, policy))
        .hasFieldOrPropertyWithValue("kind", TaskException.Kind.QUOTA)
        .hasMessage("quota max_concurrent_tasks exceeded for owner " + TEAM + ": 2 open tasks by its agents (max 2)");
    assertThat(lastAudit()).containsEntry("scope", "owner").containsEntry("owner", TEAM).containsEntry("observed", "2");
    assertThatCode(() -> begin(THIRD, "team-web@corp.example", policy)).doesNotThrowAnyException();
  }

  @Test
  void beforeBegin_callsInFlight_countUntilBegunAndLapseIfNeverBegun() {
    PolicyEngine policy = policy("  - {agents: ['" + BOT + "'], max_concurrent_tasks: 1}\n");

    begin(BOT, "", policy); // passed the check, row not written yet
    assertThatThrownBy(() -> begin(BOT, "", policy)).hasMessageContaining("1 open tasks (max 1)");

    TaskRecord task = insertTask(BOT, TaskState.OPEN, T0.plusSeconds(600));
    guard.begun(id(BOT), task); // now counted from the ledger instead
    assertThatThrownBy(() -> begin(BOT, "", policy)).hasMessageContaining("1 open tasks (max 1)");

    ledger.closeTask(task.taskId(), TaskState.COMPLETED, T0);
    begin(BOT, "", policy); // a begin that then fails in Vault: never begun
    assertThatThrownBy(() -> begin(BOT, "", policy)).hasMessageContaining("1 open tasks (max 1)");
    clock.advance(QuotaGuard.IN_FLIGHT);
    assertThatCode(() -> begin(BOT, "", policy)).doesNotThrowAnyException();
  }

  @Test
  void beforeBegin_concurrentCallsAtTheLimit_letExactlyTheLimitThrough() throws Exception {
    PolicyEngine policy = policy("  - {agents: ['" + BOT + "'], max_concurrent_tasks: 3}\n");
    int callers = 24;
    CountDownLatch start = new CountDownLatch(1);
    AtomicInteger passed = new AtomicInteger();
    List<Future<?>> results = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(callers)) {
      for (int i = 0; i < callers; i++) {
        results.add(pool.submit((Callable<Void>) () -> {
          start.await();
          try {
            begin(BOT, "", policy);
            passed.incrementAndGet();
          } catch (TaskException refused) {
            assertThat(refused.kind()).isEqualTo(TaskException.Kind.QUOTA);
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> result : results) {
        result.get();
      }
    }
    assertThat(passed).hasValue(3);
  }

  @Test
  void beforeBegin_grantTtlAboveMaxTtl_isRefusedSayingWhatToAskFor() throws Exception {
    PolicyEngine policy = policy("  - {agents: ['" + BOT + "'], max_ttl: 5m}\n"
        + "  - {owners: ['" + TEAM + "'], max_ttl: 10m}\n");

    assertThatCode(() -> begin(BOT, TEAM, policy, Duration.ofMinutes(5))).doesNotThrowAnyException();
    assertThatThrownBy(() -> begin(BOT, TEAM, policy, Duration.ofMinutes(6)))
        .hasFieldOrPropertyWithValue("kind", TaskException.Kind.QUOTA)
        .hasMessage("quota max_ttl exceeded for agent " + BOT + ": ttl PT6M (max PT5M; ask for a ttl of at most PT5M)");
    assertThat(lastAudit()).containsEntry("limit", "max_ttl").containsEntry("observed", "360")
        .containsEntry("max", "300");
    assertThatThrownBy(() -> begin(OTHER, TEAM, policy, Duration.ofMinutes(11)))
        .hasMessageStartingWith("quota max_ttl exceeded for owner " + TEAM);
  }

  @Test
  void beforeMint_mintsPerMinute_slidingWindowOverLeasesOfOpenAndClosedTasks() throws Exception {
    PolicyEngine policy = policy("  - {agents: ['" + BOT + "'], max_mints_per_minute: 2}\n");
    TaskRecord open = insertTask(BOT, TaskState.OPEN, T0.plusSeconds(3600));
    TaskRecord done = insertTask(BOT, TaskState.COMPLETED, T0.plusSeconds(3600));
    insertLease(open, T0.minusSeconds(61)); // outside the window
    insertLease(done, T0.minusSeconds(50));
    insertLease(open, T0.minusSeconds(10));

    assertThatThrownBy(() -> mint(BOT, "", policy))
        .hasFieldOrPropertyWithValue("kind", TaskException.Kind.QUOTA)
        .hasMessage("quota max_mints_per_minute exceeded for agent " + BOT
            + ": 2 credentials minted in the last 60s (max 2)");
    assertThat(lastAudit()).containsEntry("limit", "max_mints_per_minute").containsKey("task");

    clock.advance(Duration.ofSeconds(11)); // the mint at T0-50s leaves the window
    assertThatCode(() -> mint(BOT, "", policy)).doesNotThrowAnyException();
    assertThatThrownBy(() -> mint(BOT, "", policy)).hasMessageContaining("2 credentials"); // one counted in flight
  }

  @Test
  void beforeMint_ownerMintsPerMinute_countsAllAgentsOfTheOwner() {
    PolicyEngine policy = policy("  - {owners: ['" + TEAM + "'], max_mints_per_minute: 2}\n");
    ledger.register(BOT, TEAM, "", T0);
    ledger.register(OTHER, TEAM, "", T0);
    insertLease(insertTask(BOT, TaskState.OPEN, T0.plusSeconds(3600)), T0.minusSeconds(5));
    insertLease(insertTask(OTHER, TaskState.OPEN, T0.plusSeconds(3600)), T0.minusSeconds(5));

    assertThatThrownBy(() -> mint(BOT, TEAM, policy))
        .hasMessage("quota max_mints_per_minute exceeded for owner " + TEAM
            + ": 2 credentials minted in the last 60s by its agents (max 2)");
    assertThatCode(() -> mint(THIRD, "", policy)).doesNotThrowAnyException();
  }

  @Test
  void beforeBegin_afterRestart_aNewGuardOverTheSameLedgerStillCounts() {
    PolicyEngine policy = policy("  - {agents: ['" + BOT + "'], max_concurrent_tasks: 1, max_mints_per_minute: 1}\n");
    insertLease(insertTask(BOT, TaskState.OPEN, T0.plusSeconds(600)), T0);
    ledger.close();

    ledger = openLedger();
    guard = new QuotaGuard(ledger, audit, clock);

    assertThatThrownBy(() -> begin(BOT, "", policy)).hasMessageContaining("1 open tasks (max 1)");
    assertThatThrownBy(() -> mint(BOT, "", policy)).hasMessageContaining("1 credentials minted");
  }

  @Test
  void guard_noQuotasInPolicy_neverRefusesNorAudits() throws Exception {
    PolicyEngine policy = PolicyFile.parse(ROLES.replace("quotas:\n", ""), "none.yaml");
    for (int i = 0; i < 5; i++) {
      insertTask(BOT, TaskState.OPEN, T0.plusSeconds(600));
    }

    assertThatCode(() -> {
      begin(BOT, TEAM, policy, Duration.ofHours(24));
      mint(BOT, TEAM, policy);
    }).doesNotThrowAnyException();
    assertThat(AuditRecords.read(dir.resolve("audit.jsonl"))).isEmpty();
  }
}
