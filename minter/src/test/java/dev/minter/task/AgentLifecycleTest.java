package dev.minter.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minter.attest.TestClock;
import dev.minter.attest.WorkloadIdentity;
import dev.minter.audit.AuditRecords;
import dev.minter.audit.JsonlAuditLog;
import dev.minter.ledger.AgentFilter;
import dev.minter.ledger.AgentState;
import dev.minter.ledger.SqliteLedger;
import dev.minter.ledger.TokenCipher;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Agent lifecycle and state enforcement on a real ledger and audit log. No task is open in these tests, so the
 * revoker never reaches Vault (retirement with live tasks is covered against real OpenBao in AgentInventoryIT).
 */
class AgentLifecycleTest {
  private static final Instant T0 = Instant.parse("2026-11-30T12:00:00Z");
  private static final WorkloadIdentity OPERATOR =
      new WorkloadIdentity("spiffe://corp/operators/alice", "x509_svid", Map.of());
  private static final WorkloadIdentity BOT = new WorkloadIdentity("spiffe://corp/agents/bot", "x509_svid", Map.of());

  @TempDir Path dir;
  private TestClock clock;
  private SqliteLedger ledger;
  private JsonlAuditLog audit;
  private AgentLifecycle lifecycle;
  private Inventory inventory;

  @BeforeEach
  void open() {
    clock = new TestClock(T0);
    ledger = SqliteLedger.open(dir.resolve("ledger.db"), TokenCipher.loadOrCreate(dir.resolve("ledger.key")), clock);
    audit = JsonlAuditLog.open(dir.resolve("audit.jsonl"), clock);
    lifecycle = new AgentLifecycle(ledger, new TaskRevoker(null, ledger, audit, clock), audit, clock);
    inventory = new Inventory(ledger, audit, clock);
  }

  @AfterEach
  void close() {
    audit.close();
    ledger.close();
  }

  @Test
  void suspendIdle_suspendsOnlyActiveAgentsSeenBeforeTheWindow_andAuditsIt() throws Exception {
    ledger.recordSeen("spiffe://corp/agents/idle", "x509_svid", T0);
    ledger.recordSeen("spiffe://corp/agents/retired", "x509_svid", T0);
    ledger.setState("spiffe://corp/agents/retired", AgentState.RETIRED, "gone", T0);
    ledger.recordSeen("spiffe://corp/agents/recent", "x509_svid", T0.plus(Duration.ofDays(29)));
    ledger.register("spiffe://corp/agents/never-seen", "team", "", T0);
    clock.advance(Duration.ofDays(31));

    int suspended = lifecycle.suspendIdle(Duration.ofDays(30));

    assertThat(suspended).isEqualTo(1);
    assertThat(ledger.findAgent("spiffe://corp/agents/idle").orElseThrow().state()).isEqualTo(AgentState.SUSPENDED);
    assertThat(ledger.findAgent("spiffe://corp/agents/recent").orElseThrow().state()).isEqualTo(AgentState.ACTIVE);
    assertThat(ledger.findAgent("spiffe://corp/agents/never-seen").orElseThrow().state()).isEqualTo(AgentState.ACTIVE);
    assertThat(ledger.findAgent("spiffe://corp/agents/retired").orElseThrow().state()).isEqualTo(AgentState.RETIRED);
    assertThat(AuditRecords.read(dir.resolve("audit.jsonl")).getLast())
        .containsEntry("event", "agent.suspend")
        .containsEntry("identity", "minter")
        .containsEntry("agent", "spiffe://corp/agents/idle");
  }

  @Test
  void requireActive_suspendedAgent_isDeniedAndAuditedWithAgentStateRule_unknownAgentPasses() throws Exception {
    inventory.requireActive(BOT, "task.begin", null, "demo", "analytics-ro"); // never seen: nothing to enforce
    inventory.seen(BOT);
    lifecycle.setState(OPERATOR, BOT.id(), AgentState.SUSPENDED, "INC-42");

    assertThatThrownBy(() -> inventory.requireActive(BOT, "task.begin", null, "demo", "analytics-ro"))
        .isInstanceOf(TaskException.class)
        .hasMessage("agent spiffe://corp/agents/bot is suspended")
        .satisfies(e -> assertThat(((TaskException) e).kind()).isEqualTo(TaskException.Kind.DENIED));
    assertThat(AuditRecords.read(dir.resolve("audit.jsonl")).getLast())
        .containsEntry("event", "policy.deny")
        .containsEntry("rule", Inventory.RULE)
        .containsEntry("identity", BOT.id());
  }

  @Test
  void setState_unknownAgent_isNotFound() {
    assertThatThrownBy(() -> lifecycle.setState(OPERATOR, "spiffe://corp/agents/ghost", AgentState.RETIRED, ""))
        .isInstanceOf(TaskException.class)
        .satisfies(e -> assertThat(((TaskException) e).kind()).isEqualTo(TaskException.Kind.NOT_FOUND));
  }

  @ParameterizedTest(name = "identity [{0}]")
  @ValueSource(strings = {"", "   ", "no-scheme", "spiffe://corp/\u0007bell"})
  void register_malformedIdentity_isInvalid(String identity) {
    assertThatThrownBy(() -> lifecycle.register(OPERATOR, identity, "team", ""))
        .isInstanceOf(TaskException.class)
        .satisfies(e -> assertThat(((TaskException) e).kind()).isEqualTo(TaskException.Kind.INVALID));
  }

  @Test
  void register_blankOwner_isInvalidAndRecordsNothing() {
    assertThatThrownBy(() -> lifecycle.register(OPERATOR, BOT.id(), " ", "")).hasMessageContaining("owner: empty");
    assertThat(ledger.listAgents(AgentFilter.ALL)).isEmpty();
  }
}
