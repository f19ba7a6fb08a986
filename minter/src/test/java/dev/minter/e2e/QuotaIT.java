package dev.minter.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minter.audit.AuditRecords;
import dev.minter.proto.v1.MintCredentialResponse;
import dev.minter.proto.v1.RegisterAgentRequest;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Quotas from the policy file, enforced by a real server over mTLS with real OpenBao and PostgreSQL. */
class QuotaIT {
  static final String BUSY_BOT = "spiffe://minter.local/agents/busy-bot";
  static final String MINT_BOT = "spiffe://minter.local/agents/mint-bot";
  static final String TEAM_A = "spiffe://minter.local/agents/team-a";
  static final String TEAM_B = "spiffe://minter.local/agents/team-b";
  static final String TEAM = "team-quota@minter.local";

  @TempDir static Path dir;
  static MinterFixture minter;

  @BeforeAll
  static void start() throws Exception {
    minter = new MinterFixture(dir);
    Files.writeString(dir.resolve("policy.yaml"), MinterFixture.POLICY
        + """
        quotas:
          - {agents: ["%s"], max_concurrent_tasks: 2}
          - {agents: ["%s"], max_mints_per_minute: 2}
          - {owners: ["%s"], max_concurrent_tasks: 3}
        """.formatted(BUSY_BOT, MINT_BOT, TEAM));
    minter.start();
    minter.svid("admin", MinterFixture.ADMIN);
  }

  @AfterAll
  static void stop() {
    minter.close();
  }

  @Test
  void beginTask_overMaxConcurrentTasks_isResourceExhaustedAndAudited_untilOneCompletes_evenAfterRestart()
      throws Exception {
    String first;
    try (Agent agent = new Agent(minter.channelFor(BUSY_BOT))) {
      first = agent.begin("report:a", 300, "analytics-ro").getTaskId();
      agent.begin("report:b", 300, "analytics-ro");

      assertQuotaRefused(() -> agent.begin("report:c", 300, "analytics-ro"),
          "quota max_concurrent_tasks exceeded for agent " + BUSY_BOT + ": 2 open tasks (max 2)");
      assertThat(quotaRecords(BUSY_BOT)).singleElement().satisfies(r -> assertThat(r)
          .containsEntry("limit", "max_concurrent_tasks")
          .containsEntry("scope", "agent")
          .containsEntry("observed", "2")
          .containsEntry("max", "2")
          .containsEntry("purpose", "report:c")
          .containsEntry("role", "analytics-ro")
          .containsEntry("decision", "deny"));
    }

    minter.restart(); // the open tasks are counted from the ledger, not from memory
    try (Agent agent = new Agent(minter.channelFor(BUSY_BOT))) {
      assertQuotaRefused(() -> agent.begin("report:d", 300, "analytics-ro"), "2 open tasks (max 2)");

      agent.complete(first);

      String next = agent.begin("report:e", 300, "analytics-ro").getTaskId();
      assertThat(next).startsWith("tsk_");
    }
  }

  @Test
  void mintCredential_overMaxMintsPerMinute_isResourceExhaustedAndAudited() throws Exception {
    try (Agent agent = new Agent(minter.channelFor(MINT_BOT))) {
      String task = agent.begin("report:mints", 300, "analytics-ro").getTaskId();
      MintCredentialResponse one = agent.mint(task, "analytics-ro");
      agent.mint(task, "analytics-ro");
      assertThat(Postgres.countReportsAs(one.getDatabase().getUsername(), one.getDatabase().getPassword()))
          .isPositive();

      assertQuotaRefused(() -> agent.mint(task, "analytics-ro"),
          "quota max_mints_per_minute exceeded for agent " + MINT_BOT
              + ": 2 credentials minted in the last 60s (max 2)");
      assertThat(quotaRecords(MINT_BOT)).singleElement().satisfies(r -> assertThat(r)
          .containsEntry("limit", "max_mints_per_minute")
          .containsEntry("task", task)
          .containsEntry("observed", "2"));
      // Refused before Vault was asked: no third credential was issued.
      assertThat(AuditRecords.read(minter.auditFile()).stream()
          .filter(r -> "credential.mint".equals(r.get("event")) && task.equals(r.get("task")))
          .filter(r -> "issued".equals(r.get("outcome"))))
          .hasSize(2);
      agent.complete(task);
    }
  }

  @Test
  void beginTask_overOwnerMaxConcurrentTasks_isRefusedAcrossTheOwnersAgents() throws Exception {
    try (Admins admin = new Admins(minter.channel("admin"));
        Agent a = new Agent(minter.channelFor(TEAM_A));
        Agent b = new Agent(minter.channelFor(TEAM_B))) {
      for (String agent : List.of(TEAM_A, TEAM_B)) {
        admin.stub.registerAgent(
            RegisterAgentRequest.newBuilder().setIdentity(agent).setOwner(TEAM).setDescription("quota").build());
      }
      a.begin("report:1", 300, "analytics-ro");
      a.begin("report:2", 300, "analytics-ro");
      b.begin("report:3", 300, "analytics-ro");

      assertQuotaRefused(() -> b.begin("report:4", 300, "analytics-ro"),
          "quota max_concurrent_tasks exceeded for owner " + TEAM + ": 3 open tasks by its agents (max 3)");
      assertThat(quotaRecords(TEAM_B)).singleElement().satisfies(r -> assertThat(r)
          .containsEntry("scope", "owner")
          .containsEntry("owner", TEAM));
    }
  }

  private static void assertQuotaRefused(Runnable call, String message) {
    assertThatThrownBy(call::run).satisfies(e -> {
      Status status = Status.fromThrowable(e);
      assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      assertThat(status.getDescription()).contains(message);
    });
  }

  private static List<Map<String, Object>> quotaRecords(String identity) throws Exception {
    return AuditRecords.read(minter.auditFile()).stream()
        .filter(r -> "quota.exceeded".equals(r.get("event")) && identity.equals(r.get("identity")))
        .toList();
  }
}
