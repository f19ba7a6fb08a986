package dev.minter.e2e;

import static dev.minter.e2e.MinterFixture.AGENT;
import static dev.minter.e2e.MinterFixture.OTHER_AGENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.minter.audit.AuditRecords;
import dev.minter.proto.v1.BeginTaskRequest;
import dev.minter.proto.v1.BeginTaskResponse;
import dev.minter.proto.v1.CompleteTaskRequest;
import dev.minter.proto.v1.DelegateRequest;
import dev.minter.proto.v1.DelegateResponse;
import dev.minter.proto.v1.DelegationLink;
import dev.minter.proto.v1.MintCredentialRequest;
import dev.minter.proto.v1.MintCredentialResponse;
import dev.minter.proto.v1.MinterGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agent → sub-agent delegation against real OpenBao, real PostgreSQL and real mTLS: a parent task hands a role to a
 * sub-agent, the sub-agent (attested as itself) opens a child task with the grant, and the child's Vault token is a
 * child of the parent task's token, so ending the parent kills the child's credentials in Vault itself.
 */
class DelegationIT {
  static final String SUB = "spiffe://minter.local/agents/sql-helper";
  static final String SUB2 = "spiffe://minter.local/agents/sql-helper-2";
  static final String SUB3 = "spiffe://minter.local/agents/sql-helper-3";

  @TempDir static Path dir;
  static MinterFixture minter;
  static final List<ManagedChannel> channels = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    minter = new MinterFixture(dir).start();
  }

  @AfterAll
  static void stop() throws InterruptedException {
    for (ManagedChannel channel : channels) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    minter.close();
  }

  @Test
  void delegate_subAgentBeginsChildAndMints_loginWorksThenDiesWithTheParent() throws Exception {
    MinterGrpc.MinterBlockingStub parent = stub(AGENT);
    MinterGrpc.MinterBlockingStub sub = stub(SUB);
    BeginTaskResponse parentTask = begin(parent, "report:q3", 300, List.of("analytics-ro", "vault-token"), "");
    assertThat(parentTask.getChainList()).extracting(DelegationLink::getSubject).containsExactly(AGENT);

    DelegateResponse grant = parent.delegate(delegation(parentTask.getTaskId(), SUB, List.of("analytics-ro")).build());
    assertThat(grant.getGrantId()).startsWith("grt_");
    assertThat(grant.getRolesList()).containsExactly("analytics-ro");
    assertThat(grant.getPurposesList()).containsExactly("report:q3");
    assertThat(grant.getMaxTtl().getSeconds()).isBetween(250L, 300L);

    BeginTaskResponse child = begin(sub, "report:q3", 0, List.of("analytics-ro"), grant.getGrant());
    assertThat(child.getParentTaskId()).isEqualTo(parentTask.getTaskId());
    assertThat(child.getChainList())
        .extracting(DelegationLink::getSubject, DelegationLink::getTaskId)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(AGENT, parentTask.getTaskId()),
            org.assertj.core.groups.Tuple.tuple(SUB, child.getTaskId()));
    // No TTL asked: capped at the parent's remaining time, not the rule's 15 minutes.
    assertThat(child.getTtl().getSeconds()).isLessThanOrEqualTo(300);
    assertThat(child.getExpiresAt().getSeconds()).isLessThanOrEqualTo(parentTask.getExpiresAt().getSeconds());

    MintCredentialResponse cred = mint(sub, child.getTaskId(), "analytics-ro");
    String user = cred.getDatabase().getUsername();
    assertThat(Postgres.countReportsAs(user, cred.getDatabase().getPassword())).isPositive();

    // In OpenBao the child task's token is not an orphan: it was created with the parent task's token.
    String childAccessor = accessorOf(child.getTaskId());
    JsonNode lookup = minter.stack.asRoot("POST", "auth/token/lookup-accessor", Map.of("accessor", childAccessor))
        .body().path("data");
    assertThat(lookup.path("orphan").asBoolean()).isFalse();
    assertThat(lookup.path("path").asText()).isEqualTo("auth/token/create/minter-task-child");
    assertThat(lookup.path("meta").path("task").asText()).isEqualTo(child.getTaskId());

    // The child's records carry the whole chain: who delegated, through which task, and who acted.
    assertThat(AuditRecords.read(minter.auditFile()))
        .filteredOn(r -> "credential.mint".equals(r.get("event")) && child.getTaskId().equals(r.get("task")))
        .isNotEmpty()
        .allSatisfy(r -> assertThat(r.get("chain")).isEqualTo(List.of(
            Map.of("kind", "agent", "subject", AGENT, "task", parentTask.getTaskId(), "rule", "agents"),
            Map.of("kind", "agent", "subject", SUB, "task", child.getTaskId(), "rule", "agents"))));

    // Completing the PARENT revokes the parent token; OpenBao cascades to the child token and its lease.
    parent.completeTask(CompleteTaskRequest.newBuilder().setTaskId(parentTask.getTaskId()).build());
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> assertThatThrownBy(() -> Postgres.countReportsAs(user, cred.getDatabase().getPassword()))
            .isInstanceOf(SQLException.class));
    assertThat(minter.stack.tokenAlive(childAccessor)).isFalse();
  }

  @Test
  void revokingParentInOpenBao_killsTheChildTaskToken() throws Exception {
    MinterGrpc.MinterBlockingStub parent = stub(AGENT);
    BeginTaskResponse parentTask = begin(parent, "report:cascade", 120, List.of("analytics-ro"), "");
    DelegateResponse grant = parent.delegate(delegation(parentTask.getTaskId(), SUB, List.of("analytics-ro")).build());
    BeginTaskResponse child = begin(stub(SUB), "report:cascade", 60, List.of("analytics-ro"), grant.getGrant());
    String childAccessor = accessorOf(child.getTaskId());
    assertThat(minter.stack.tokenAlive(childAccessor)).isTrue();

    // Vault alone, no Minter: revoking the parent task's token revokes the child's.
    assertThat(minter.stack.asRoot("POST", "auth/token/revoke-accessor",
        Map.of("accessor", accessorOf(parentTask.getTaskId()))).status()).isEqualTo(204);

    await().atMost(Duration.ofSeconds(30)).until(() -> !minter.stack.tokenAlive(childAccessor));
  }

  @Test
  void agentsVaultToken_cannotCreateTaskTokens_thoughEveryTaskTokenCarriesTheDelegatePolicy() throws Exception {
    MinterGrpc.MinterBlockingStub agent = stub(AGENT);
    BeginTaskResponse task = begin(agent, "report:tokens", 120, List.of("vault-token"), "");
    JsonNode taskToken = minter.stack.asRoot("POST", "auth/token/lookup-accessor",
        Map.of("accessor", accessorOf(task.getTaskId()))).body().path("data");
    assertThat(taskToken.path("policies").toString()).contains("minter-task-delegate");

    MintCredentialResponse cred = mint(agent, task.getTaskId(), "vault-token");
    assertThat(cred.getVaultToken().getPoliciesList()).doesNotContain("minter-task-delegate");
    dev.minter.vault.Secret agentToken = dev.minter.vault.Secret.of(cred.getVaultToken().getToken());
    assertThat(minter.stack.call(agentToken, "POST", "auth/token/create/minter-task-child",
        Map.of("policies", List.of("task-analytics-ro"), "ttl", "60s")).status()).isEqualTo(403);
  }

  @Test
  void childCannotExceedParent_refusedAndAudited() throws Exception {
    MinterGrpc.MinterBlockingStub parent = stub(AGENT);
    MinterGrpc.MinterBlockingStub sub = stub(SUB);
    BeginTaskResponse parentTask = begin(parent, "report:narrow", 120, List.of("analytics-ro"), "");
    String id = parentTask.getTaskId();

    // At Delegate: a role the parent does not hold, a purpose the policy does not allow, a TTL beyond the remaining.
    assertCode(() -> parent.delegate(delegation(id, SUB, List.of("vault-token")).build()), Status.Code.PERMISSION_DENIED);
    assertCode(() -> parent.delegate(delegation(id, SUB, List.of("analytics-ro")).addPurposes("exfiltrate").build()),
        Status.Code.PERMISSION_DENIED);
    assertCode(() -> parent.delegate(delegation(id, SUB, List.of("analytics-ro"))
        .setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(3600)).build()), Status.Code.PERMISSION_DENIED);
    assertCode(() -> parent.delegate(delegation(id, AGENT, List.of("analytics-ro")).build()),
        Status.Code.INVALID_ARGUMENT);
    assertCode(() -> stub(OTHER_AGENT).delegate(delegation(id, SUB, List.of("analytics-ro")).build()),
        Status.Code.PERMISSION_DENIED);

    // At BeginTask with a good grant: a purpose or TTL beyond the grant. Refused before the grant is spent.
    DelegateResponse grant = parent.delegate(delegation(id, SUB, List.of("analytics-ro"))
        .setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(30)).build());
    assertCode(() -> begin(sub, "report:other", 10, List.of("analytics-ro"), grant.getGrant()),
        Status.Code.PERMISSION_DENIED);
    assertCode(() -> begin(sub, "report:narrow", 31, List.of("analytics-ro"), grant.getGrant()),
        Status.Code.PERMISSION_DENIED);
    assertCode(() -> begin(sub, "report:narrow", 10, List.of("analytics-ro", "vault-token"), grant.getGrant()),
        Status.Code.PERMISSION_DENIED);
    BeginTaskResponse child = begin(sub, "report:narrow", 30, List.of("analytics-ro"), grant.getGrant());
    assertThat(child.getTtl().getSeconds()).isEqualTo(30);

    assertThat(AuditRecords.read(minter.auditFile()))
        .anySatisfy(r -> assertThat(r).containsEntry("event", "policy.deny").containsEntry("identity", AGENT)
            .containsEntry("task", id).containsEntry("role", "vault-token"))
        .anySatisfy(r -> assertThat(r).containsEntry("event", "task.begin").containsEntry("identity", SUB)
            .containsEntry("rule", "delegation").containsEntry("decision", "denied"));
  }

  @Test
  void grant_singleUse_boundToSubAgent_andExpires() throws Exception {
    MinterGrpc.MinterBlockingStub parent = stub(AGENT);
    BeginTaskResponse parentTask = begin(parent, "report:once", 120, List.of("analytics-ro"), "");
    DelegateResponse grant = parent.delegate(delegation(parentTask.getTaskId(), SUB, List.of("analytics-ro")).build());

    // Another identity presenting the grant is refused, and does not burn it for its sub-agent.
    assertCode(() -> begin(stub(OTHER_AGENT), "report:once", 30, List.of("analytics-ro"), grant.getGrant()),
        Status.Code.PERMISSION_DENIED);
    begin(stub(SUB), "report:once", 30, List.of("analytics-ro"), grant.getGrant());
    assertThatThrownBy(() -> begin(stub(SUB), "report:once", 30, List.of("analytics-ro"), grant.getGrant()))
        .satisfies(e -> {
          assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
          assertThat(Status.fromThrowable(e).getDescription()).contains("already used");
        });
    String tampered = grant.getGrant().substring(0, grant.getGrant().length() - 4) + "AAAA";
    assertCode(() -> begin(stub(SUB), "report:once", 30, List.of("analytics-ro"), tampered),
        Status.Code.UNAUTHENTICATED);

    // A grant never outlives its parent: from a 3-second task it expires with it.
    BeginTaskResponse shortTask = begin(parent, "report:brief", 3, List.of("analytics-ro"), "");
    DelegateResponse brief = parent.delegate(delegation(shortTask.getTaskId(), SUB, List.of("analytics-ro")).build());
    assertThat(brief.getExpiresAt().getSeconds()).isLessThanOrEqualTo(shortTask.getExpiresAt().getSeconds());
    Thread.sleep(Duration.ofSeconds(4));
    assertCode(() -> begin(stub(SUB), "report:brief", 1, List.of("analytics-ro"), brief.getGrant()),
        Status.Code.UNAUTHENTICATED);
  }

  @Test
  void depthLimit_defaultThree_fourthHopRefusedAndAudited() throws Exception {
    MinterGrpc.MinterBlockingStub top = stub(AGENT);
    String taskId = begin(top, "report:deep", 300, List.of("analytics-ro"), "").getTaskId();
    MinterGrpc.MinterBlockingStub holder = top;
    for (String next : List.of(SUB, SUB2, SUB3)) {
      DelegateResponse grant = holder.delegate(delegation(taskId, next, List.of("analytics-ro")).build());
      holder = stub(next);
      BeginTaskResponse child = begin(holder, "report:deep", 0, List.of("analytics-ro"), grant.getGrant());
      taskId = child.getTaskId();
    }
    String deepest = taskId;
    MinterGrpc.MinterBlockingStub last = holder;
    assertThatThrownBy(() -> last.delegate(delegation(deepest, AGENT, List.of("analytics-ro")).build()))
        .satisfies(e -> {
          assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
          assertThat(Status.fromThrowable(e).getDescription()).contains("max_delegation_depth");
        });
    assertThat(AuditRecords.read(minter.auditFile()).getLast())
        .containsEntry("event", "quota.exceeded")
        .containsEntry("identity", SUB3)
        .containsEntry("limit", "max_delegation_depth")
        .containsEntry("value", "4")
        .containsEntry("max", "3");
  }

  @Test
  void fanOutLimit_defaultTen_eleventhGrantRefusedAndAudited() throws Exception {
    MinterGrpc.MinterBlockingStub parent = stub(AGENT);
    String taskId = begin(parent, "report:wide", 120, List.of("analytics-ro"), "").getTaskId();
    for (int i = 0; i < 10; i++) {
      parent.delegate(delegation(taskId, SUB, List.of("analytics-ro")).build());
    }
    assertThatThrownBy(() -> parent.delegate(delegation(taskId, SUB, List.of("analytics-ro")).build()))
        .satisfies(e -> {
          assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
          assertThat(Status.fromThrowable(e).getDescription()).contains("max_fan_out");
        });
    assertThat(AuditRecords.read(minter.auditFile()).getLast())
        .containsEntry("event", "quota.exceeded")
        .containsEntry("limit", "max_fan_out")
        .containsEntry("value", "11")
        .containsEntry("max", "10");
  }

  private static MinterGrpc.MinterBlockingStub stub(String identity) throws Exception {
    ManagedChannel channel = minter.channelFor(identity);
    channels.add(channel);
    return MinterGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  private static DelegateRequest.Builder delegation(String taskId, String subAgent, List<String> roles) {
    return DelegateRequest.newBuilder().setTaskId(taskId).setSubAgent(subAgent).addAllRoles(roles);
  }

  /** Begins a task; {@code ttlSeconds} 0 asks for no TTL, {@code grant} "" for no delegation grant. */
  private static BeginTaskResponse begin(
      MinterGrpc.MinterBlockingStub stub, String purpose, long ttlSeconds, List<String> roles, String grant) {
    BeginTaskRequest.Builder request =
        BeginTaskRequest.newBuilder().setPurpose(purpose).addAllRoles(roles).setDelegationGrant(grant);
    if (ttlSeconds > 0) {
      request.setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(ttlSeconds));
    }
    return stub.beginTask(request.build());
  }

  private static MintCredentialResponse mint(MinterGrpc.MinterBlockingStub stub, String taskId, String role) {
    return stub.mintCredential(MintCredentialRequest.newBuilder().setTaskId(taskId).setRole(role).build());
  }

  /** The task token's accessor, from the task's {@code task.begin} outcome record. */
  private static String accessorOf(String taskId) throws Exception {
    return AuditRecords.read(minter.auditFile()).stream()
        .filter(r -> "task.begin".equals(r.get("event")) && taskId.equals(r.get("task")) && "ok".equals(r.get("outcome")))
        .map(r -> (String) r.get("token_accessor"))
        .findFirst()
        .orElseThrow();
  }

  private static void assertCode(ThrowingCallable call, Status.Code code) {
    assertThatThrownBy(call).satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(code));
  }
}
