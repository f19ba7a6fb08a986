package dev.minter.e2e;

import static dev.minter.e2e.Admins.assertRefused;
import static dev.minter.e2e.Admins.assertWorks;
import static dev.minter.e2e.Admins.receiptTaskIds;
import static dev.minter.e2e.Admins.summary;
import static dev.minter.e2e.MinterFixture.ADMIN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import dev.minter.attest.jwt.TestJwts;
import dev.minter.audit.AuditRecords;
import dev.minter.proto.v1.GetTaskRequest;
import dev.minter.proto.v1.MintCredentialResponse;
import dev.minter.proto.v1.RevokeEvent;
import dev.minter.proto.v1.RevokeSummary;
import dev.minter.proto.v1.TaskInfo;
import dev.minter.proto.v1.TaskSelector;
import dev.minter.proto.v1.TaskState;
import dev.minter.tls.Pem;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Revoke by each supported dimension against real OpenBao and PostgreSQL: the selected tasks' database logins are
 * refused afterwards, the others' keep working. Each test uses its own agents, purposes or roles so the open tasks of
 * other tests never match.
 */
class RevokeBySelectorIT {
  static final ECKey CORP = TestJwts.ec("corp-jwt-1", Curve.P_256);
  static final String AGENTS = "spiffe://minter.local/agents/";

  @TempDir static Path dir;
  static MinterFixture minter;
  static Admins admin;

  @BeforeAll
  static void start() throws Exception {
    Files.writeString(dir.resolve("corp-bundle.json"), JwtSvidEndToEndIT.bundle(CORP));
    minter = new MinterFixture(dir, """
        attestors:
          jwt_svid:
            audience: minter
            bundles:
              corp.example: corp-bundle.json
        """).start();
    minter.svid("admin", ADMIN);
    admin = new Admins(minter.channel("admin"));
  }

  @AfterAll
  static void stop() throws Exception {
    admin.close();
    minter.close();
  }

  /** A task with a working PostgreSQL login. */
  record Live(String taskId, MintCredentialResponse cred) {}

  static Live live(Agent agent, String purpose, String... roles) {
    String taskId = agent.begin(purpose, 300, roles.length == 0 ? new String[] {"analytics-ro"} : roles).getTaskId();
    return new Live(taskId, agent.mint(taskId, "analytics-ro"));
  }

  @Test
  void byTaskId_revokesOnlyThatTask() throws Exception {
    try (Agent agent = new Agent(minter.channelFor(AGENTS + "task-dim"))) {
      Live doomed = live(agent, "report:task-dim");
      Live kept = live(agent, "report:task-dim");

      List<RevokeEvent> events = admin.revoke(TaskSelector.newBuilder().setTaskId(doomed.taskId()).build(), "t", false);

      assertThat(receiptTaskIds(events)).containsExactly(doomed.taskId());
      assertThat(summary(events).getRevoked()).isEqualTo(1);
      assertRefused(doomed.cred());
      assertWorks(kept.cred());
    }
  }

  @Test
  void byAgentGlob_revokesThatAgentsTasks_notAnotherAgents() throws Exception {
    try (Agent a1 = new Agent(minter.channelFor(AGENTS + "agentdim-a1"));
        Agent a2 = new Agent(minter.channelFor(AGENTS + "agentdim-a2"));
        Agent b = new Agent(minter.channelFor(AGENTS + "agentdim-b"))) {
      Live doomed1 = live(a1, "report:agent-dim");
      Live doomed2 = live(a2, "report:agent-dim");
      Live kept = live(b, "report:agent-dim");

      List<RevokeEvent> events =
          admin.revoke(TaskSelector.newBuilder().setAgent(AGENTS + "agentdim-a*").build(), "agent gone rogue", false);

      assertThat(receiptTaskIds(events)).containsExactlyInAnyOrder(doomed1.taskId(), doomed2.taskId());
      assertThat(summary(events)).isEqualTo(RevokeSummary.newBuilder().setMatched(2).setRevoked(2).build());
      assertRefused(doomed1.cred());
      assertRefused(doomed2.cred());
      assertWorks(kept.cred());
    }
  }

  @Test
  void byOwner_revokesTasksOfTheOwnersRegisteredAgents_only() throws Exception {
    admin.stub.registerAgent(dev.minter.proto.v1.RegisterAgentRequest.newBuilder()
        .setIdentity(AGENTS + "ownerdim-a").setOwner("team-owner-dim").setDescription("etl").build());
    try (Agent owned = new Agent(minter.channelFor(AGENTS + "ownerdim-a"));
        Agent other = new Agent(minter.channelFor(AGENTS + "ownerdim-b"))) {
      Live doomed = live(owned, "report:owner-dim");
      Live kept = live(other, "report:owner-dim");

      List<RevokeEvent> events =
          admin.revoke(TaskSelector.newBuilder().setOwner("team-owner-dim").build(), "team offboarded", false);

      assertThat(receiptTaskIds(events)).containsExactly(doomed.taskId());
      assertRefused(doomed.cred());
      assertWorks(kept.cred());
    }
  }

  @Test
  void byPurposeGlob_revokesMatchingPurposesOnly() throws Exception {
    try (Agent agent = new Agent(minter.channelFor(AGENTS + "purpose-dim"))) {
      Live doomed = live(agent, "report:purpose-kill-1");
      Live kept = live(agent, "report:purpose-keep");

      List<RevokeEvent> events =
          admin.revoke(TaskSelector.newBuilder().setPurpose("report:purpose-kill-*").build(), "", false);

      assertThat(receiptTaskIds(events)).containsExactly(doomed.taskId());
      assertRefused(doomed.cred());
      assertWorks(kept.cred());
    }
  }

  @Test
  void byRole_revokesTasksGrantedThatRole() throws Exception {
    try (Agent agent = new Agent(minter.channelFor(AGENTS + "role-dim"))) {
      Live doomed = live(agent, "report:role-dim", "analytics-ro", "vault-token");
      Live kept = live(agent, "report:role-dim", "analytics-ro");

      List<RevokeEvent> events = admin.revoke(TaskSelector.newBuilder().setRole("vault-token").build(), "", false);

      assertThat(receiptTaskIds(events)).containsExactly(doomed.taskId());
      assertRefused(doomed.cred());
      assertWorks(kept.cred());
    }
  }

  @Test
  void byAttestor_revokesTasksOfThatAttestationKind() throws Exception {
    byte[] jwt = JwtSvidEndToEndIT.svid(CORP).getBytes(StandardCharsets.US_ASCII);
    try (Agent viaJwt = new Agent(minter.channelWithoutClientCertificate(), Agent.evidence("jwt_svid", jwt));
        Agent viaX509 = new Agent(minter.channelFor(AGENTS + "attestor-dim"))) {
      Live doomed = live(viaJwt, "report:attestor-dim");
      Live kept = live(viaX509, "report:attestor-dim");

      List<RevokeEvent> events = admin.revoke(TaskSelector.newBuilder().setAttestor("jwt_svid").build(), "", false);

      assertThat(receiptTaskIds(events)).containsExactly(doomed.taskId());
      assertRefused(doomed.cred());
      assertWorks(kept.cred());
    }
  }

  @Test
  void bySource_revokesTasksBegunWithThatCertificate_notTheSameIdentitysOtherCertificate() throws Exception {
    String id = AGENTS + "source-dim";
    Path first = minter.svid("source-1", id);
    minter.svid("source-2", id);
    String serial = Pem.readCertificates(first).getFirst().getSerialNumber().toString(16);
    try (Agent stolen = new Agent(minter.channel("source-1"));
        Agent fresh = new Agent(minter.channel("source-2"))) {
      Live doomed = live(stolen, "report:source-dim");
      Live kept = live(fresh, "report:source-dim");

      List<RevokeEvent> events =
          admin.revoke(TaskSelector.newBuilder().setSource("x509.serial=" + serial).build(), "key leaked", false);

      assertThat(receiptTaskIds(events)).containsExactly(doomed.taskId());
      assertRefused(doomed.cred());
      assertWorks(kept.cred());
    }
  }

  @Test
  void dryRun_countsAndListsButRevokesNothing() throws Exception {
    try (Agent agent = new Agent(minter.channelFor(AGENTS + "dry-dim"))) {
      Live task = live(agent, "report:dry");

      List<RevokeEvent> events =
          admin.revoke(TaskSelector.newBuilder().setAgent(AGENTS + "dry-dim").build(), "", true);

      assertThat(receiptTaskIds(events)).isEmpty();
      assertThat(events.stream().filter(RevokeEvent::hasProgress).flatMap(e -> e.getProgress().getTaskIdsList().stream()))
          .containsExactly(task.taskId());
      assertThat(summary(events)).isEqualTo(RevokeSummary.newBuilder().setMatched(1).setDryRun(true).build());
      assertWorks(task.cred());
      assertThat(admin.stub.getTask(GetTaskRequest.newBuilder().setTaskId(task.taskId()).build()).getState())
          .isEqualTo(TaskState.TASK_STATE_OPEN);
    }
  }

  static Stream<Arguments> refusedSelectors() {
    return Stream.of(
        Arguments.of("empty", TaskSelector.getDefaultInstance(), "selector: empty"),
        Arguments.of("only a state", TaskSelector.newBuilder().setState(TaskState.TASK_STATE_OPEN).build(),
            "selector: empty"),
        Arguments.of("source without =", TaskSelector.newBuilder().setSource("aws.instance_id").build(),
            "expected: claim=value"),
        Arguments.of("ended state", TaskSelector.newBuilder().setAll(true).setState(TaskState.TASK_STATE_REVOKED)
            .build(), "only open tasks"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedSelectors")
  void revoke_unusableSelector_isInvalidArgument_andRevokesNothing(String name, TaskSelector selector, String why) {
    long openBefore = admin.list(TaskSelector.newBuilder().setState(TaskState.TASK_STATE_OPEN).build(), 1000).size();

    assertThatThrownBy(() -> admin.revoke(selector, "", false)).satisfies(e -> {
      Status status = Status.fromThrowable(e);
      assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(status.getDescription()).contains(why);
    });
    assertThat(admin.list(TaskSelector.newBuilder().setState(TaskState.TASK_STATE_OPEN).build(), 1000))
        .hasSize((int) openBefore);
  }

  static Stream<Arguments> delegationSelectorsMatchingNothing() {
    return Stream.of(
        Arguments.of("delegator nobody delegated as", TaskSelector.newBuilder().setDelegator("alice@corp.example").build()),
        Arguments.of("subtree of an unknown task", TaskSelector.newBuilder().setSubtree("tsk_unknown").build()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("delegationSelectorsMatchingNothing")
  void revoke_delegationSelectorOverUndelegatedTasks_isAcceptedAndRevokesNothing(String name, TaskSelector selector)
      throws Exception {
    long openBefore = admin.list(TaskSelector.newBuilder().setState(TaskState.TASK_STATE_OPEN).build(), 1000).size();

    List<RevokeEvent> events = admin.revoke(selector, "", false);

    assertThat(summary(events).getMatched()).isZero();
    assertThat(receiptTaskIds(events)).isEmpty();
    assertThat(admin.list(TaskSelector.newBuilder().setState(TaskState.TASK_STATE_OPEN).build(), 1000))
        .hasSize((int) openBefore);
  }

  @Test
  void nonAdmin_isDeniedListGetAndRevoke_andTheDenialIsAudited() throws Exception {
    String agentId = AGENTS + "not-an-admin";
    try (Agent agent = new Agent(minter.channelFor(agentId));
        Admins impostor = new Admins(minter.channelFor(agentId))) {
      Live task = live(agent, "report:impostor");

      assertThatThrownBy(() -> impostor.revoke(TaskSelector.newBuilder().setAll(true).build(), "", false))
          .satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
      assertThatThrownBy(() -> impostor.list(TaskSelector.getDefaultInstance(), 10))
          .satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
      assertThatThrownBy(() -> impostor.stub.getTask(GetTaskRequest.newBuilder().setTaskId(task.taskId()).build()))
          .satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
      assertWorks(task.cred());
      assertThat(AuditRecords.read(minter.auditFile())).anySatisfy(r -> assertThat(r)
          .containsEntry("event", "policy.deny")
          .containsEntry("identity", agentId)
          .containsEntry("method", "minter.v1.MinterAdmin/Revoke"));
    }
  }

  @Test
  void revoke_writesOneTaskRevokeRecordPerTask_andOneAdminCallWithTheSelector() throws Exception {
    try (Agent agent = new Agent(minter.channelFor(AGENTS + "audit-dim"))) {
      String t1 = agent.begin("report:audit-dim", 300, "analytics-ro").getTaskId();
      String t2 = agent.begin("report:audit-dim", 300, "analytics-ro").getTaskId();

      admin.revoke(TaskSelector.newBuilder().setAgent(AGENTS + "audit-dim").build(), "incident 7", false);

      List<java.util.Map<String, Object>> records = AuditRecords.read(minter.auditFile());
      assertThat(records).filteredOn(r -> "task.revoke".equals(r.get("event")))
          .filteredOn(r -> List.of(t1, t2).contains(r.get("task")))
          .hasSize(2)
          .allSatisfy(r -> assertThat(r).containsEntry("identity", ADMIN).containsEntry("reason", "incident 7"));
      assertThat(records).anySatisfy(r -> assertThat(r)
          .containsEntry("event", "admin.call")
          .containsEntry("method", "minter.v1.MinterAdmin/Revoke")
          .containsEntry("subject", "agent=" + AGENTS + "audit-dim"));
    }
  }

  @Test
  void getTask_showsTheTaskAndItsLeases_andListFiltersByState() throws Exception {
    try (Agent agent = new Agent(minter.channelFor(AGENTS + "show-dim"))) {
      Live task = live(agent, "report:show");
      agent.complete(task.taskId());

      TaskInfo info = admin.stub.getTask(GetTaskRequest.newBuilder().setTaskId(task.taskId()).build());

      assertThat(info.getAgent()).isEqualTo(AGENTS + "show-dim");
      assertThat(info.getAttestor()).isEqualTo("x509_svid");
      assertThat(info.getState()).isEqualTo(TaskState.TASK_STATE_COMPLETED);
      assertThat(info.getLeasesList()).singleElement().satisfies(l -> {
        assertThat(l.getLeaseId()).isEqualTo(task.cred().getLeaseId());
        assertThat(l.getRevoked()).isTrue();
      });
      assertThat(admin.list(TaskSelector.newBuilder().setAgent(AGENTS + "show-dim")
          .setState(TaskState.TASK_STATE_OPEN).build(), 10)).isEmpty();
      assertThatThrownBy(() -> admin.stub.getTask(GetTaskRequest.newBuilder().setTaskId("tsk_nope").build()))
          .satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.NOT_FOUND));
    }
  }
}
