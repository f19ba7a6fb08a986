package dev.minter.ledger;

import static dev.minter.ledger.LedgerFixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent inventory's rows: seen/used bookkeeping, registration, state, filters, and durability. */
class SqliteLedgerAgentsTest {
  private static final String BOT = "spiffe://corp.example/agents/research-bot";
  private static final String ETL = "spiffe://corp.example/agents/etl";

  @TempDir Path dir;
  private TokenCipher cipher;
  private SqliteLedger ledger;

  @BeforeEach
  void open() {
    cipher = TokenCipher.loadOrCreate(dir.resolve("ledger.key"));
    ledger = reopen();
  }

  @AfterEach
  void close() {
    ledger.close();
  }

  @Test
  void recordSeenAndUse_keepFirstAndLastSeen_attestorsAndLatestUsePerRole_acrossRestart() {
    ledger.recordSeen(BOT, "x509_svid", T0);
    ledger.recordSeen(BOT, "jwt_svid", T0.plusSeconds(60));
    ledger.recordUse(BOT, "analytics-ro", "report:weekly", T0.plusSeconds(10));
    ledger.recordUse(BOT, "analytics-ro", "report:daily", T0.plusSeconds(50));
    ledger.recordUse(BOT, "vault-token", "demo", T0.plusSeconds(20));
    ledger.close();
    ledger = reopen();

    AgentRecord agent = ledger.findAgent(BOT).orElseThrow();

    assertThat(agent.state()).isEqualTo(AgentState.ACTIVE);
    assertThat(agent.firstSeen()).isEqualTo(T0);
    assertThat(agent.lastSeen()).isEqualTo(T0.plusSeconds(60));
    assertThat(agent.attestors()).containsExactlyInAnyOrder("x509_svid", "jwt_svid");
    assertThat(agent.rolesUsed())
        .containsEntry("analytics-ro", T0.plusSeconds(50))
        .containsEntry("vault-token", T0.plusSeconds(20));
    assertThat(agent.purposes()).containsExactlyInAnyOrder("report:weekly", "report:daily", "demo");
    assertThat(agent.hasOwner()).isFalse();
  }

  @Test
  void register_unseenIdentity_createsActiveAgentNeverSeen_thenSeenKeepsOwner() {
    AgentRecord registered = ledger.register(ETL, "data-team", "nightly ETL", T0);
    assertThat(registered.firstSeen()).isNull();
    assertThat(registered.owner()).isEqualTo("data-team");

    ledger.recordSeen(ETL, "x509_svid", T0.plusSeconds(5));

    AgentRecord agent = ledger.findAgent(ETL).orElseThrow();
    assertThat(agent.owner()).isEqualTo("data-team");
    assertThat(agent.description()).isEqualTo("nightly ETL");
    assertThat(agent.firstSeen()).isEqualTo(T0.plusSeconds(5));
  }

  @Test
  void setState_existingAgent_recordsReasonAndTime_unknownAgentIsEmpty() {
    ledger.recordSeen(BOT, "x509_svid", T0);

    AgentRecord suspended = ledger.setState(BOT, AgentState.SUSPENDED, "INC-42", T0.plusSeconds(1)).orElseThrow();

    assertThat(suspended.state()).isEqualTo(AgentState.SUSPENDED);
    assertThat(suspended.stateReason()).isEqualTo("INC-42");
    assertThat(suspended.stateChangedAt()).isEqualTo(T0.plusSeconds(1));
    assertThat(ledger.setState(ETL, AgentState.RETIRED, "x", T0)).isEmpty();
  }

  @Test
  void listAgents_filtersByOwnerStateAndMissingOwner() {
    ledger.recordSeen(BOT, "x509_svid", T0);
    ledger.register(ETL, "data-team", "", T0);
    ledger.setState(ETL, AgentState.SUSPENDED, "", T0);

    assertThat(ledger.listAgents(AgentFilter.ALL)).extracting(AgentRecord::identity).containsExactly(ETL, BOT);
    assertThat(ledger.listAgents(new AgentFilter(Optional.empty(), Optional.empty(), true)))
        .extracting(AgentRecord::identity).containsExactly(BOT);
    assertThat(ledger.listAgents(new AgentFilter(Optional.of("data-team"), Optional.empty(), false)))
        .extracting(AgentRecord::identity).containsExactly(ETL);
    assertThat(ledger.listAgents(new AgentFilter(Optional.empty(), Optional.of(AgentState.ACTIVE), false)))
        .extracting(AgentRecord::identity).containsExactly(BOT);
  }

  @Test
  void openTasksOf_returnsOnlyTheAgentsOpenTasks() {
    String agent = LedgerFixtures.task("tsk_a", T0.plusSeconds(600)).agent();
    ledger.insertTask(LedgerFixtures.task("tsk_a", T0.plusSeconds(600)));
    ledger.insertTask(LedgerFixtures.task("tsk_b", T0.plusSeconds(600)));
    ledger.closeTask("tsk_b", TaskState.COMPLETED, T0.plusSeconds(1));

    assertThat(ledger.openTasksOf(agent)).extracting(TaskRecord::taskId).containsExactly("tsk_a");
    assertThat(ledger.openTasksOf(ETL)).isEmpty();
  }

  private SqliteLedger reopen() {
    return SqliteLedger.open(dir.resolve("ledger.db"), cipher, Clock.fixed(T0, ZoneOffset.UTC));
  }
}
