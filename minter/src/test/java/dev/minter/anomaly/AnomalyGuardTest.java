package dev.minter.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minter.attest.AttestationResult;
import dev.minter.attest.TestClock;
import dev.minter.attest.WorkloadIdentity;
import dev.minter.audit.AuditRecords;
import dev.minter.audit.JsonlAuditLog;
import dev.minter.ledger.TaskRecord;
import dev.minter.ledger.TaskState;
import dev.minter.policy.DelegationView;
import dev.minter.policy.Policy;
import dev.minter.policy.PolicyContext;
import dev.minter.policy.PolicyFile;
import dev.minter.task.BeginTaskCommand;
import dev.minter.task.TaskException;
import dev.minter.vault.Secret;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnomalyGuardTest {
  static final String BOT = "spiffe://minter.local/agents/report-bot";
  static final WorkloadIdentity CALLER = new WorkloadIdentity(BOT, "x509_svid", Map.of());
  static final Instant NOW = Instant.parse("2026-11-02T10:00:00Z");
  static final String ROLES =
      """
      roles:
        analytics-ro: {kind: database, path: database/creds/analytics-ro, vault_policies: [p]}
        payments-rw: {kind: database, path: database/creds/payments-rw, vault_policies: [p]}
      rules: []
      """;

  @TempDir Path dir;
  final TestClock clock = new TestClock(NOW);
  final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
  JsonlAuditLog audit;
  AnomalyDetector detector;

  @BeforeEach
  void setUp() {
    InventoryStub inventory =
        new InventoryStub().agent(BOT, NOW.minus(Duration.ofDays(30)), Set.of("analytics-ro"), Set.of("report:daily"));
    detector = new AnomalyDetector(inventory, clock);
    audit = JsonlAuditLog.open(dir.resolve("audit.jsonl"), clock);
  }

  AnomalyGuard guard(Policy policy) {
    return new AnomalyGuard(detector, audit, metrics, () -> policy);
  }

  static Policy policy(String anomalies) {
    return PolicyFile.parse(ROLES + "anomalies:\n" + anomalies, "policy.yaml");
  }

  static BeginTaskCommand command(String role) {
    return new BeginTaskCommand("report:daily", Optional.empty(), List.of(role), Map.of());
  }

  static PolicyContext context(DelegationView delegation) {
    return new PolicyContext(NOW, Map.of(), dev.minter.policy.AgentView.UNKNOWN, delegation, Map.of());
  }

  static final PolicyContext UNDELEGATED = context(DelegationView.NONE);
  static final PolicyContext BY_ALICE =
      context(new DelegationView(List.of(DelegationView.Link.human("alice@corp.example")), Optional.empty()));

  List<Map<String, Object>> anomalyRecords() throws Exception {
    return AuditRecords.read(dir.resolve("audit.jsonl")).stream()
        .filter(r -> String.valueOf(r.get("event")).startsWith("anomaly."))
        .toList();
  }

  double counted(String kind, String action) {
    var counter = metrics.find("minter.anomalies").tags("kind", kind, "action", action).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void beforeBegin_alert_continuesAuditedAndCounted() throws Exception {
    Policy policy = policy("  new_role: alert\n");

    guard(policy).beforeBegin(CALLER, command("payments-rw"), null, UNDELEGATED, policy);

    assertThat(anomalyRecords()).singleElement().satisfies(r -> assertThat(r)
        .containsEntry("event", "anomaly.new_role")
        .containsEntry("identity", BOT)
        .containsEntry("role", "payments-rw")
        .containsEntry("purpose", "report:daily")
        .containsEntry("rule", "anomaly.new_role")
        .containsEntry("action", "alert")
        .containsEntry("decision", "alert")
        .containsEntry("observation", "first use of role 'payments-rw'")
        .containsEntry("baseline",
            "roles used since 2026-10-03T10:00:00Z: [analytics-ro] (learning ended after PT24H and 5 calls)"));
    assertThat(counted("new_role", "alert")).isEqualTo(1);
  }

  @Test
  void beforeBegin_knownRole_writesNothing() throws Exception {
    Policy policy = policy("  new_role: deny\n");

    guard(policy).beforeBegin(CALLER, command("analytics-ro"), null, UNDELEGATED, policy);

    assertThat(anomalyRecords()).isEmpty();
  }

  @Test
  void beforeBegin_deny_throwsDeniedAfterAuditing_andLearnsNothing() throws Exception {
    Policy policy = policy("  new_role: deny\n");
    AnomalyGuard guard = guard(policy);

    for (int attempt = 0; attempt < 2; attempt++) {
      assertThatThrownBy(() -> guard.beforeBegin(CALLER, command("payments-rw"), null, UNDELEGATED, policy))
          .isInstanceOfSatisfying(TaskException.class, e -> {
            assertThat(e.kind()).isEqualTo(TaskException.Kind.DENIED);
            assertThat(e.getMessage())
                .startsWith("anomaly new_role: first use of role 'payments-rw' (baseline: roles used since")
                .endsWith("; the policy denies it");
          });
    }

    assertThat(anomalyRecords()).hasSize(2).allSatisfy(r -> assertThat(r)
        .containsEntry("decision", "deny")
        .containsEntry("action", "deny")
        .containsKey("reason"));
    assertThat(counted("new_role", "deny")).isEqualTo(2);
  }

  @Test
  void beforeBegin_requireDelegation_withoutHuman_isDenied() throws Exception {
    Policy policy = policy("  new_role: require_delegation\n");

    assertThatThrownBy(() -> guard(policy).beforeBegin(CALLER, command("payments-rw"), null, UNDELEGATED, policy))
        .isInstanceOf(TaskException.class)
        .hasMessageEndingWith("the policy requires a human delegation for it");
    assertThat(anomalyRecords()).singleElement().satisfies(r -> assertThat(r).containsEntry("decision", "deny"));
  }

  @Test
  void beforeBegin_requireDelegation_withHumanInChain_passesAndNamesTheHuman() throws Exception {
    Policy policy = policy("  new_role: require_delegation\n");

    guard(policy).beforeBegin(CALLER, command("payments-rw"), null, BY_ALICE, policy);

    assertThat(anomalyRecords()).singleElement().satisfies(r -> assertThat(r)
        .containsEntry("action", "require_delegation")
        .containsEntry("decision", "allow")
        .containsEntry("delegated_by", "alice@corp.example")
        .doesNotContainKey("reason"));
  }

  @Test
  void beforeMint_rateOverFloor_deniedAfterAuditing_allowedMintsAreLearned() throws Exception {
    Policy policy = policy("  mint_rate: {action: deny, warmup: 0s, floor_per_minute: 2}\n");
    AnomalyGuard guard = guard(policy);
    TaskRecord task = task();

    for (int i = 0; i < 2; i++) {
      guard.beforeMint(CALLER, task, "analytics-ro", UNDELEGATED, policy);
      guard.minted(CALLER, task, "analytics-ro");
      clock.advance(Duration.ofSeconds(1));
    }
    assertThatThrownBy(() -> guard.beforeMint(CALLER, task, "analytics-ro", UNDELEGATED, policy))
        .isInstanceOf(TaskException.class)
        .hasMessageContaining("mint_rate: 3 mints in the last minute");

    assertThat(anomalyRecords()).singleElement().satisfies(r -> assertThat(r)
        .containsEntry("event", "anomaly.mint_rate")
        .containsEntry("task", "t-1")
        .containsEntry("baseline", "ewma 0.0 mints/min (half-life PT1H); threshold 2.0 = max(4 × ewma, floor 2)"));
    assertThat(metrics.find("minter.credentials.minted").tags("role", "analytics-ro").counter().count()).isEqualTo(2);
  }

  @Test
  void attestationRejected_burstFromOnePeer_auditedOnceBySource() throws Exception {
    Policy policy = policy("  attestation_failures: {threshold: 3, window: 1m}\n");
    AnomalyGuard guard = guard(policy);
    var peer = new InetSocketAddress("10.0.0.9", 50_000);

    for (int i = 0; i < 6; i++) {
      guard.attestationRejected(new AttestationResult.Rejected("x509_svid", "untrusted issuer"), peer, "req_" + i);
    }

    assertThat(anomalyRecords()).singleElement().satisfies(r -> assertThat(r)
        .containsEntry("event", "anomaly.attestation_failures")
        .containsEntry("source", "10.0.0.9")
        .containsEntry("request_id", "req_3")
        .containsEntry("observation", "4 failed attestations in the last PT1M (latest: x509_svid untrusted)")
        .doesNotContainKey("identity"));
    assertThat(metrics.find("minter.attestation.rejected").tags("failure", "untrusted").counter().count())
        .isEqualTo(6);
  }

  static TaskRecord task() {
    return new TaskRecord("t-1", BOT, "x509_svid", "report:daily", List.of("analytics-ro"), "agents", Map.of(),
        Secret.of("s.token"), "acc", NOW, NOW.plus(Duration.ofMinutes(15)), TaskState.OPEN, Map.of(), "",
        DelegationView.NONE);
  }
}
