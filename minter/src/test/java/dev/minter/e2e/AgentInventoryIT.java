package dev.minter.e2e;

import static dev.minter.e2e.MinterFixture.ADMIN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minter.audit.AuditRecords;
import dev.minter.proto.v1.AgentInfo;
import dev.minter.proto.v1.AgentReportRequest;
import dev.minter.proto.v1.AgentReportResponse;
import dev.minter.proto.v1.AgentState;
import dev.minter.proto.v1.GetAgentRequest;
import dev.minter.proto.v1.ListAgentsRequest;
import dev.minter.proto.v1.MintCredentialResponse;
import dev.minter.proto.v1.MinterAdminGrpc;
import dev.minter.proto.v1.RegisterAgentRequest;
import dev.minter.proto.v1.RevocationStatus;
import dev.minter.proto.v1.SetAgentStateRequest;
import dev.minter.proto.v1.SetAgentStateResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent inventory and lifecycle through the real server: real OpenBao, real PostgreSQL, real mTLS. */
class AgentInventoryIT {
  private static final String AGENTS = "spiffe://minter.local/agents/";

  @TempDir static Path dir;
  static MinterFixture minter;
  static ManagedChannel adminChannel;
  static MinterAdminGrpc.MinterAdminBlockingStub admin;

  @BeforeAll
  static void start() throws Exception {
    minter = new MinterFixture(dir).start();
    adminChannel = minter.channelFor(ADMIN);
    admin = MinterAdminGrpc.newBlockingStub(adminChannel);
  }

  @AfterAll
  static void stop() throws InterruptedException {
    adminChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    minter.close();
  }

  @Test
  void mixedWorkload_inventoryHasSeenTimesAttestorsRolesPurposesAndLiveTasks() throws Exception {
    String alpha = AGENTS + "inv-alpha";
    String beta = AGENTS + "inv-beta";
    try (Agent a = new Agent(minter.channelFor(alpha));
        Agent b = new Agent(minter.channelFor(beta))) {
      String first = a.begin("report:weekly", 120, "analytics-ro").getTaskId();
      a.mint(first, "analytics-ro");
      a.complete(first);
      String second = a.begin("demo", 120, "vault-token").getTaskId();
      a.mint(second, "vault-token");
      b.begin("report:daily", 120, "analytics-ro");

      AgentInfo infoA = get(alpha);
      AgentInfo infoB = get(beta);

      assertThat(infoA.getState()).isEqualTo(AgentState.AGENT_STATE_ACTIVE);
      assertThat(infoA.getAttestorsList()).containsExactly("x509_svid");
      assertThat(infoA.getRolesUsedList()).containsExactlyInAnyOrder("analytics-ro", "vault-token");
      assertThat(infoA.getPurposesList()).containsExactlyInAnyOrder("report:weekly", "demo");
      assertThat(infoA.getLiveTasks()).isEqualTo(1);
      assertThat(infoA.getRolesGrantedList()).containsExactly("analytics-ro", "vault-token");
      assertThat(infoA.getDataSourcesList()).contains("database/creds/analytics-ro");
      assertThat(infoA.getFirstSeen().getSeconds()).isLessThanOrEqualTo(infoA.getLastSeen().getSeconds());
      assertThat(infoB.getRolesUsedList()).containsExactly("analytics-ro");
      assertThat(infoB.getPurposesList()).containsExactly("report:daily");
      assertThat(infoB.getLiveTasks()).isEqualTo(1);
      assertThat(admin.listAgents(ListAgentsRequest.newBuilder().setIdentity(AGENTS + "inv-*").build()).getAgentsList())
          .extracting(AgentInfo::getIdentity)
          .contains(alpha, beta)
          .allMatch(id -> id.startsWith(AGENTS + "inv-"));
    }
  }

  @Test
  void retire_revokesOnlyThatAgentsLiveCredentials_andBlocksItUntilReinstated() throws Exception {
    String retiring = AGENTS + "inv-retiring";
    String bystander = AGENTS + "inv-bystander";
    try (Agent r = new Agent(minter.channelFor(retiring));
        Agent other = new Agent(minter.channelFor(bystander))) {
      MintCredentialResponse doomed = r.mint(r.begin("report:r", 300, "analytics-ro").getTaskId(), "analytics-ro");
      MintCredentialResponse kept = other.mint(other.begin("report:o", 300, "analytics-ro").getTaskId(), "analytics-ro");
      assertThat(works(doomed)).isTrue();

      SetAgentStateResponse response = setState(retiring, AgentState.AGENT_STATE_RETIRED, "key leaked");

      assertThat(response.getAgent().getState()).isEqualTo(AgentState.AGENT_STATE_RETIRED);
      assertThat(response.getAgent().getLiveTasks()).isZero();
      assertThat(response.getReceiptsList()).singleElement().satisfies(receipt -> {
        assertThat(receipt.getRevokedBy()).isEqualTo(ADMIN);
        assertThat(receipt.getCredentialsList()).singleElement()
            .satisfies(c -> assertThat(c.getStatus()).isEqualTo(RevocationStatus.REVOKED));
      });
      assertThatThrownBy(() -> works(doomed)).isInstanceOf(SQLException.class);
      assertThat(works(kept)).isTrue();
      assertDenied(() -> r.begin("report:again", 60, "analytics-ro"), "agent " + retiring + " is retired");
      assertThat(AuditRecords.read(minter.auditFile()))
          .anySatisfy(rec -> assertThat(rec)
              .containsEntry("event", "agent.retire")
              .containsEntry("identity", ADMIN)
              .containsEntry("agent", retiring)
              .containsEntry("reason", "key leaked"))
          .anySatisfy(rec -> assertThat(rec)
              .containsEntry("event", "policy.deny")
              .containsEntry("identity", retiring)
              .containsEntry("rule", "agent-state"));

      setState(retiring, AgentState.AGENT_STATE_ACTIVE, "new key");
      String again = r.begin("report:again", 60, "analytics-ro").getTaskId();
      assertThat(works(r.mint(again, "analytics-ro"))).isTrue();
      assertThat(r.complete(again).getToken()).isEqualTo(RevocationStatus.REVOKED);
    }
  }

  @Test
  void suspend_blocksBeginAndMint_butNotComplete_andReinstateRestores() throws Exception {
    String paused = AGENTS + "inv-paused";
    try (Agent p = new Agent(minter.channelFor(paused))) {
      String taskId = p.begin("report:p", 300, "analytics-ro").getTaskId();
      MintCredentialResponse cred = p.mint(taskId, "analytics-ro");

      SetAgentStateResponse response = setState(paused, AgentState.AGENT_STATE_SUSPENDED, "INC-42");

      assertThat(response.getReceiptsList()).isEmpty();
      assertThat(works(cred)).isTrue(); // suspension revokes nothing
      assertDenied(() -> p.mint(taskId, "analytics-ro"), "is suspended");
      assertDenied(() -> p.begin("report:p2", 60, "analytics-ro"), "is suspended");
      assertThat(p.complete(taskId).getToken()).isEqualTo(RevocationStatus.REVOKED);
      assertThat(AuditRecords.read(minter.auditFile()))
          .anySatisfy(rec -> assertThat(rec).containsEntry("event", "agent.suspend").containsEntry("reason", "INC-42"));

      setState(paused, AgentState.AGENT_STATE_ACTIVE, "");
      String next = p.begin("report:p3", 60, "analytics-ro").getTaskId();
      assertThat(works(p.mint(next, "analytics-ro"))).isTrue();
      p.complete(next);
    }
  }

  @Test
  void registerAndReport_listOwnerlessAndOverGrantedAgents() throws Exception {
    String registered = AGENTS + "inv-registered";
    String narrow = AGENTS + "inv-narrow";
    AgentInfo info =
        admin.registerAgent(
            RegisterAgentRequest.newBuilder().setIdentity(registered).setOwner("team-r").setDescription("etl").build());
    assertThat(info.getOwner()).isEqualTo("team-r");
    assertThat(info.hasFirstSeen()).isFalse();
    try (Agent n = new Agent(minter.channelFor(narrow))) {
      n.complete(n.begin("report:n", 60, "analytics-ro").getTaskId());
    }

    AgentReportResponse report = admin.agentReport(AgentReportRequest.getDefaultInstance());

    assertThat(report.getWithoutOwnerList()).extracting(AgentInfo::getIdentity).contains(narrow).doesNotContain(registered);
    assertThat(report.getOverGrantedList()).filteredOn(g -> g.getIdentity().equals(narrow)).singleElement()
        .satisfies(g -> {
          assertThat(g.getUsedList()).containsExactly("analytics-ro");
          assertThat(g.getUnusedList()).containsExactly("vault-token");
        });
    assertThat(report.getOverGrantedList()).filteredOn(g -> g.getIdentity().equals(registered)).singleElement()
        .satisfies(g -> assertThat(g.getUnusedList()).containsExactly("analytics-ro", "vault-token"));
  }

  @Test
  void nonAdmin_isRefusedEveryAgentRpc_andUnknownAgentIsNotFound() throws Exception {
    ManagedChannel channel = minter.channelFor(AGENTS + "inv-nosy");
    try {
      MinterAdminGrpc.MinterAdminBlockingStub nosy = MinterAdminGrpc.newBlockingStub(channel);
      assertDenied(() -> nosy.listAgents(ListAgentsRequest.getDefaultInstance()), "is not an admin");
      assertDenied(() -> nosy.setAgentState(SetAgentStateRequest.newBuilder()
          .setIdentity(AGENTS + "inv-nosy").setState(AgentState.AGENT_STATE_ACTIVE).build()), "is not an admin");
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    assertThatThrownBy(() -> get(AGENTS + "nobody-ever"))
        .satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.NOT_FOUND));
  }

  @Test
  void cli_formatsConfirmationAndExitCodes() throws Exception {
    String cliAgent = AGENTS + "inv-cli";
    minter.svid("cli-admin", ADMIN);
    minter.svid("cli-agent", cliAgent);
    try (Agent agent = new Agent(minter.channel("cli-agent"))) {
      agent.mint(agent.begin("report:cli", 300, "analytics-ro").getTaskId(), "analytics-ro");
    }

    Run ls = cli("cli-admin", "agents", "ls", "--identity", cliAgent, "-o", "json");
    assertThat(ls.code()).isZero();
    assertThat(ls.out()).contains("\"identity\": \"" + cliAgent + "\"", "\"liveTasks\": \"1\"");
    Run table = cli("cli-admin", "agents", "ls", "--identity", cliAgent, "-o", "table");
    assertThat(table.out()).startsWith("IDENTITY").contains(cliAgent, "active");
    Run registered = cli("cli-admin", "agents", "register", cliAgent, "--owner", "team-cli", "-o", "yaml");
    assertThat(registered.code()).isZero();
    assertThat(registered.out()).contains("owner: \"team-cli\"");
    assertThat(cli("cli-admin", "agents", "show", cliAgent, "-o", "table").out()).contains("team-cli", "analytics-ro");
    assertThat(cli("cli-admin", "agents", "report", "--unused-for", "1h", "-o", "table").out())
        .contains("Agents without an owner:", "Over-granted");

    assertThat(cli("cli-admin", "agents", "show", AGENTS + "nobody-ever").code()).isEqualTo(1);
    assertThat(cli("cli-admin", "agents", "ls", "-o", "xml").code()).isEqualTo(2);
    assertThat(cli("cli-admin", "agents", "suspend").code()).isEqualTo(2); // missing IDENTITY: picocli usage error
    assertThat(cli("cli-agent", "agents", "suspend", cliAgent).code()).isEqualTo(1); // not an admin
    assertThat(cli("cli-admin", "agents", "retire", cliAgent).code()).isEqualTo(1); // no terminal, no --yes
    assertThat(get(cliAgent).getState()).isEqualTo(AgentState.AGENT_STATE_ACTIVE);

    Run retired = cli("cli-admin", "agents", "retire", cliAgent, "--reason", "cli test", "--yes", "-o", "table");
    assertThat(retired.code()).isZero();
    assertThat(retired.out()).contains("retired", "ended       revoke by " + ADMIN);
    assertThat(get(cliAgent).getLiveTasks()).isZero();
    assertThat(cli("cli-admin", "agents", "reinstate", cliAgent, "-o", "json").out()).contains("AGENT_STATE_ACTIVE");
  }

  private record Run(int code, String out) {}

  private static Run cli(String client, String... args) {
    java.util.List<String> all = new java.util.ArrayList<>(java.util.List.of(args));
    all.addAll(2, minter.clientFiles(client)); // after "agents <verb>"
    java.io.PrintStream original = System.out;
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    System.setOut(new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      int code = dev.minter.Main.commandLine().execute(all.toArray(String[]::new));
      return new Run(code, bytes.toString(java.nio.charset.StandardCharsets.UTF_8));
    } finally {
      System.setOut(original);
    }
  }

  private static AgentInfo get(String identity) {
    return admin.getAgent(GetAgentRequest.newBuilder().setIdentity(identity).build());
  }

  private static SetAgentStateResponse setState(String identity, AgentState state, String reason) {
    return admin.setAgentState(
        SetAgentStateRequest.newBuilder().setIdentity(identity).setState(state).setReason(reason).build());
  }

  private static boolean works(MintCredentialResponse cred) throws SQLException {
    return Postgres.countReportsAs(cred.getDatabase().getUsername(), cred.getDatabase().getPassword()) > 0;
  }

  private static void assertDenied(ThrowingCallable call, String message) {
    assertThatThrownBy(call).satisfies(e -> {
      Status status = Status.fromThrowable(e);
      assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(status.getDescription()).contains(message);
    });
  }
}
