package dev.minter.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.ECKey;
import dev.minter.attest.TestClock;
import dev.minter.attest.WorkloadIdentity;
import dev.minter.audit.AuditEvent;
import dev.minter.audit.AuditLog;
import dev.minter.delegation.GrantClaims;
import dev.minter.delegation.GrantKeyFile;
import dev.minter.delegation.GrantTokens;
import dev.minter.ledger.GrantRecord;
import dev.minter.ledger.SqliteLedger;
import dev.minter.ledger.TaskRecord;
import dev.minter.ledger.TaskState;
import dev.minter.ledger.TokenCipher;
import dev.minter.policy.Decision;
import dev.minter.policy.DelegationView;
import dev.minter.policy.Grant;
import dev.minter.policy.PolicyEngine;
import dev.minter.policy.PolicyRequest;
import dev.minter.policy.RoleSpec;
import dev.minter.vault.Secret;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Redeeming a grant and confining a child to its parent, over a real SQLite ledger and real signatures. */
class ChildGrantsTest {
  static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
  static final String PARENT_AGENT = "spiffe://corp.example/agents/planner";
  static final String SUB = "spiffe://corp.example/agents/helper";
  static final Map<String, RoleSpec> ROLES = Map.of(
      "db-ro", new RoleSpec("db-ro", "database", "database/creds/db-ro", List.of("task-db-ro"), List.of()),
      "kv", new RoleSpec("kv", "vault-token", "", List.of("task-vault-token", "kv-read"), List.of("kv-read")));

  @TempDir Path dir;
  final TestClock clock = new TestClock(NOW);
  final List<AuditEvent> audited = new ArrayList<>();
  SqliteLedger ledger;
  GrantTokens tokens;
  ChildGrants grants;

  @BeforeEach
  void open() {
    ledger = SqliteLedger.open(dir.resolve("ledger.db"), TokenCipher.loadOrCreate(dir.resolve("ledger.key")), clock);
    ECKey key = GrantKeyFile.loadOrCreate(dir.resolve("grant.jwk"));
    tokens = new GrantTokens(key, Duration.ofMinutes(5), clock);
    AuditLog audit = new AuditLog() {
      @Override
      public long append(AuditEvent event) {
        audited.add(event);
        return audited.size();
      }

      @Override
      public void close() {}
    };
    grants = new ChildGrants(tokens, ledger, audit, clock);
    ledger.insertTask(parent(TaskState.OPEN, NOW.plusSeconds(600)));
  }

  @AfterEach
  void close() {
    ledger.close();
  }

  @Test
  void redeem_validGrant_chainEndsWithParentAgent_scopeIsTheGrant() {
    Delegations.Resolved resolved = grants.redeem(caller(SUB), issue("grt_ok"), command("report:q3", null, "db-ro"));

    assertThat(resolved.parent().map(TaskRecord::taskId)).contains("tsk_parent");
    assertThat(resolved.grantId()).contains("grt_ok");
    assertThat(resolved.view().chain()).containsExactly(DelegationView.Link.agent(PARENT_AGENT, "tsk_parent", "planners"));
    DelegationView.Scope scope = resolved.view().scope().orElseThrow();
    assertThat(scope.roles()).containsExactly("db-ro");
    assertThat(scope.allowsPurpose("report:q3")).isTrue();
    assertThat(scope.allowsPurpose("report:q4")).isFalse();
    assertThat(scope.maxTtl()).contains(Duration.ofSeconds(120));
    assertThat(ledger.findGrant("grt_ok").orElseThrow().redeemedAt()).contains(NOW);
  }

  @Test
  void redeem_parentDelegatedByAHuman_childChainKeepsTheHumanFirst() {
    ledger.insertTask(new TaskRecord("tsk_human", PARENT_AGENT, "x509-svid", "report:q3", List.of("db-ro"), "planners",
        Map.of(), Secret.of("hvs.parent-token-for-tests"), "acc-human", NOW.minusSeconds(60), NOW.plusSeconds(600),
        TaskState.OPEN, Map.of(), "", new DelegationView(List.of(DelegationView.Link.human("alice@corp.example")),
            Optional.empty())));
    GrantClaims claims = new GrantClaims("grt_h", "tsk_human", SUB, List.of("db-ro"), List.of("report:q3"),
        Duration.ofSeconds(60), NOW, NOW.plusSeconds(300));
    ledger.insertGrant(record(claims));

    Delegations.Resolved resolved =
        grants.redeem(caller(SUB), tokens.sign(claims), command("report:q3", null, "db-ro"));

    assertThat(resolved.view().human()).contains("alice@corp.example");
    assertThat(resolved.view().depth()).isEqualTo(1);
    assertThat(Delegations.auditChain(resolved.view().through(SUB, "tsk_child", "helpers")))
        .extracting(link -> link.get("kind") + ":" + link.get("subject"))
        .containsExactly("human:alice@corp.example", "agent:" + PARENT_AGENT, "agent:" + SUB);
  }

  static Stream<Arguments> refusals() {
    return Stream.of(
        Arguments.of("presented by another identity", "spiffe://corp.example/agents/thief", "report:q3", null,
            List.of("db-ro"), TaskException.Kind.DENIED, (Consumer<ChildGrantsTest>) t -> {}),
        Arguments.of("role outside the grant", SUB, "report:q3", null, List.of("db-ro", "kv"),
            TaskException.Kind.DENIED, (Consumer<ChildGrantsTest>) t -> {}),
        Arguments.of("purpose outside the grant", SUB, "report:q4", null, List.of("db-ro"),
            TaskException.Kind.DENIED, (Consumer<ChildGrantsTest>) t -> {}),
        Arguments.of("ttl beyond the grant", SUB, "report:q3", Duration.ofSeconds(121), List.of("db-ro"),
            TaskException.Kind.DENIED, (Consumer<ChildGrantsTest>) t -> {}),
        Arguments.of("parent completed", SUB, "report:q3", null, List.of("db-ro"), TaskException.Kind.NOT_OPEN,
            (Consumer<ChildGrantsTest>) t -> t.ledger.closeTask("tsk_parent", TaskState.COMPLETED, NOW)),
        Arguments.of("parent revoked", SUB, "report:q3", null, List.of("db-ro"), TaskException.Kind.NOT_OPEN,
            (Consumer<ChildGrantsTest>) t -> t.ledger.closeTask("tsk_parent", TaskState.REVOKED, NOW)),
        Arguments.of("grant expired", SUB, "report:q3", null, List.of("db-ro"), TaskException.Kind.UNAUTHENTICATED,
            (Consumer<ChildGrantsTest>) t -> t.clock.advance(Duration.ofSeconds(300))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusals")
  void redeem_requestOrParentDoesNotFit_refusedAndGrantNotSpent(
      String name, String caller, String purpose, Duration ttl, List<String> roles, TaskException.Kind kind,
      Consumer<ChildGrantsTest> before) {
    Secret grant = issue("grt_x");
    before.accept(this);

    assertThatThrownBy(() -> grants.redeem(caller(caller), grant, command(purpose, ttl, roles.toArray(String[]::new))))
        .isInstanceOfSatisfying(TaskException.class, e -> assertThat(e.kind()).isEqualTo(kind));
    assertThat(ledger.findGrant("grt_x").orElseThrow().redeemedAt()).isEmpty();
  }

  @Test
  void redeem_secondUse_unauthenticatedAlreadyUsed() {
    Secret grant = issue("grt_once");
    grants.redeem(caller(SUB), grant, command("report:q3", null, "db-ro"));

    assertThatThrownBy(() -> grants.redeem(caller(SUB), grant, command("report:q3", null, "db-ro")))
        .isInstanceOfSatisfying(TaskException.class, e -> assertThat(e.kind()).isEqualTo(TaskException.Kind.UNAUTHENTICATED))
        .hasMessageContaining("already used");
  }

  @Test
  void redeem_signedButNotInLedger_unauthenticated() {
    Secret grant = tokens.sign(claims("grt_ghost", List.of("db-ro")));

    assertThatThrownBy(() -> grants.redeem(caller(SUB), grant, command("report:q3", null, "db-ro")))
        .isInstanceOfSatisfying(TaskException.class, e -> assertThat(e.kind()).isEqualTo(TaskException.Kind.UNAUTHENTICATED))
        .hasMessageContaining("unknown");
  }

  @Test
  void redeem_ledgerRowDiffersFromClaims_unauthenticated() {
    ledger.insertGrant(record(claims("grt_diff", List.of("db-ro"))));
    Secret wider = tokens.sign(claims("grt_diff", List.of("db-ro", "kv")));

    assertThatThrownBy(() -> grants.redeem(caller(SUB), wider, command("report:q3", null, "db-ro")))
        .isInstanceOfSatisfying(TaskException.class, e -> assertThat(e.kind()).isEqualTo(TaskException.Kind.UNAUTHENTICATED))
        .hasMessageContaining("does not match");
  }

  @Test
  void confine_noTtlAsked_cappedAtGrantAndParentRemaining() {
    Delegations.Resolved resolved = grants.redeem(caller(SUB), issue("grt_c"), command("report:q3", null, "db-ro"));
    clock.advance(Duration.ofSeconds(30));
    Grant fromPolicy = new Grant("helpers", List.of(ROLES.get("db-ro")), Duration.ofMinutes(15), List.of("task-db-ro"));

    Grant confined = grants.confine(caller(SUB), command("report:q3", null, "db-ro"), resolved, fromPolicy, engine());

    assertThat(confined.ttl()).isEqualTo(Duration.ofSeconds(120));
    assertThat(confined.vaultPolicies()).containsExactly("task-db-ro");
  }

  @Test
  void confine_vaultPolicyBeyondParent_deniedAndAudited() {
    Delegations.Resolved resolved = grants.redeem(caller(SUB), issue("grt_v"), command("report:q3", null, "db-ro"));
    Grant wider =
        new Grant("helpers", List.of(ROLES.get("db-ro")), Duration.ofSeconds(60), List.of("task-db-ro", "root-ish"));

    assertThatThrownBy(() -> grants.confine(caller(SUB), command("report:q3", null, "db-ro"), resolved, wider, engine()))
        .isInstanceOfSatisfying(TaskException.class, e -> assertThat(e.kind()).isEqualTo(TaskException.Kind.DENIED))
        .hasMessageContaining("root-ish");
    assertThat(audited.getLast().fields())
        .containsEntry("rule", "delegation-scope")
        .containsEntry("grant_id", "grt_v")
        .containsEntry("parent_task", "tsk_parent");
  }

  private Secret issue(String grantId) {
    GrantClaims claims = claims(grantId, List.of("db-ro"));
    ledger.insertGrant(record(claims));
    return tokens.sign(claims);
  }

  private static GrantClaims claims(String grantId, List<String> roles) {
    return new GrantClaims(grantId, "tsk_parent", SUB, roles, List.of("report:q3"), Duration.ofSeconds(120), NOW,
        NOW.plusSeconds(300));
  }

  private static GrantRecord record(GrantClaims c) {
    return GrantRecord.issued(c);
  }

  private static TaskRecord parent(TaskState state, Instant expiresAt) {
    return new TaskRecord("tsk_parent", PARENT_AGENT, "x509-svid", "report:q3", List.of("db-ro", "kv"), "planners",
        Map.of(), Secret.of("hvs.parent-token-for-tests"), "acc-parent", NOW.minusSeconds(60), expiresAt, state,
        Map.of());
  }

  private static WorkloadIdentity caller(String id) {
    return new WorkloadIdentity(id, "x509-svid", Map.of());
  }

  private static BeginTaskCommand command(String purpose, Duration ttl, String... roles) {
    return new BeginTaskCommand(purpose, Optional.ofNullable(ttl), List.of(roles), Map.of(), Optional.empty(),
        Optional.of(Secret.of("unused")));
  }

  private static PolicyEngine engine() {
    return new PolicyEngine() {
      @Override
      public Decision decide(PolicyRequest request) {
        throw new UnsupportedOperationException("confine never asks the policy");
      }

      @Override
      public boolean isAdmin(WorkloadIdentity identity) {
        return false;
      }

      @Override
      public Optional<RoleSpec> role(String name) {
        return Optional.ofNullable(ROLES.get(name));
      }
    };
  }
}
