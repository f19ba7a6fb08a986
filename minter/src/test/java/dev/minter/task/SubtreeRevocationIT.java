package dev.minter.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minter.audit.AuditRecords;
import dev.minter.audit.JsonlAuditLog;
import dev.minter.ledger.LeaseRecord;
import dev.minter.ledger.SqliteLedger;
import dev.minter.ledger.TaskQuery;
import dev.minter.ledger.TaskRecord;
import dev.minter.ledger.TaskState;
import dev.minter.ledger.TokenCipher;
import dev.minter.policy.DelegationView;
import dev.minter.policy.DelegationView.Link;
import dev.minter.policy.Glob;
import dev.minter.policy.RoleSpec;
import dev.minter.testing.Postgres;
import dev.minter.testing.RealStack;
import dev.minter.vault.Credential;
import dev.minter.vault.DatabaseEngine;
import dev.minter.vault.MintedCredential;
import dev.minter.vault.TaskToken;
import dev.minter.vault.VaultGateway;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Subtree revocation against real OpenBao and PostgreSQL. The delegation tree is built the way Minter builds it: each
 * child task's token is created <em>with</em> its parent task's token, and each task reads its own database
 * credential with its own token. Ending the parent must end the children first, confirm every credential of the
 * subtree gone (PostgreSQL refuses the logins at once, not after Vault's asynchronous cascade), close the children in
 * the ledger, and audit each end with its parent.
 */
class SubtreeRevocationIT {
  static final RoleSpec ANALYTICS_RO =
      new RoleSpec("analytics-ro", "database", "database/creds/analytics-ro", List.of("task-analytics-ro"), List.of());
  static final List<String> DELEGATING = List.of("task-analytics-ro", "task-vault-token");
  static final String PLANNER = "spiffe://corp.example/agents/planner";
  static final String HELPER = "spiffe://corp.example/agents/helper";
  static final String LEAF = "spiffe://corp.example/agents/leaf";

  private static RealStack stack;
  private static VaultGateway vault;
  private static Postgres pg;

  @TempDir Path dir;
  private final Clock clock = Clock.systemUTC();
  private final DatabaseEngine database = new DatabaseEngine(clock);
  private SqliteLedger ledger;
  private JsonlAuditLog audit;
  private TaskRevoker revoker;

  @BeforeAll
  static void startStack() {
    stack = RealStack.get();
    vault = new VaultGateway(stack.gatewayConfig(), Clock.systemUTC());
    pg = new Postgres(stack);
  }

  @AfterAll
  static void closeGateway() {
    vault.close();
  }

  @BeforeEach
  void open() {
    ledger = SqliteLedger.open(dir.resolve("ledger.db"), TokenCipher.loadOrCreate(dir.resolve("ledger.key")), clock);
    audit = JsonlAuditLog.open(dir.resolve("audit.jsonl"), clock);
    revoker = new TaskRevoker(vault, ledger, audit, clock);
  }

  @AfterEach
  void close() {
    audit.close();
    ledger.close();
  }

  @Test
  void end_parentWithChildAndGrandchild_endsSubtreeFirstAndNestsReceipts() throws Exception {
    Tree t = tree();

    Receipt receipt = revoker.end(t.parent.record, TaskState.COMPLETED, PLANNER, null);

    assertThat(receipt.taskId()).isEqualTo(t.parent.id());
    assertThat(receipt.reason()).isEqualTo("complete");
    assertThat(receipt.confirmed()).isTrue();
    assertThat(receipt.children()).singleElement().satisfies(child -> {
      assertThat(child.taskId()).isEqualTo(t.child.id());
      assertThat(child.reason()).isEqualTo("revoke");
      assertThat(child.revokedBy()).isEqualTo(PLANNER);
      assertThat(child.token()).isEqualTo(RevocationStatus.REVOKED);
      assertThat(child.credentials()).extracting(Receipt.Item::status).containsExactly(RevocationStatus.REVOKED);
      assertThat(child.children()).singleElement().satisfies(grand -> {
        assertThat(grand.taskId()).isEqualTo(t.grandchild.id());
        assertThat(grand.token()).isEqualTo(RevocationStatus.REVOKED);
        assertThat(grand.credentials()).extracting(Receipt.Item::status).containsExactly(RevocationStatus.REVOKED);
      });
    });
    // Confirmed means gone now: sync=true revocation dropped every database user of the subtree.
    for (Node n : t.all()) {
      assertThatThrownBy(() -> pg.login(n.db)).as(n.id()).isInstanceOf(SQLException.class);
      assertThat(vault.tokenAlive(n.token.accessor())).as(n.id()).isFalse();
    }
    assertThat(ledger.findTask(t.parent.id()).orElseThrow().state()).isEqualTo(TaskState.COMPLETED);
    assertThat(ledger.findTask(t.child.id()).orElseThrow().state()).isEqualTo(TaskState.REVOKED);
    assertThat(ledger.findTask(t.grandchild.id()).orElseThrow().state()).isEqualTo(TaskState.REVOKED);
    assertThat(ledger.leases(t.grandchild.id())).allMatch(LeaseRecord::revoked);

    List<Map<String, Object>> records = AuditRecords.read(dir.resolve("audit.jsonl"));
    assertThat(records).extracting(r -> r.get("task"))
        .containsExactly(t.grandchild.id(), t.child.id(), t.parent.id()); // children first, depth-first
    assertThat(records.get(0))
        .containsEntry("event", "task.revoke")
        .containsEntry("identity", PLANNER)
        .containsEntry("parent", t.child.id())
        .containsEntry("reason", "parent task " + t.child.id() + " revoked")
        .containsEntry("outcome", "confirmed");
    assertThat(records.get(0).get("chain")).asList().hasSize(4); // alice, planner, helper, leaf itself
    assertThat(records.get(1))
        .containsEntry("event", "task.revoke")
        .containsEntry("parent", t.parent.id())
        .containsEntry("reason", "parent task " + t.parent.id() + " completed")
        .containsEntry("children", t.grandchild.id());
    assertThat(records.get(2))
        .containsEntry("event", "task.complete")
        .containsEntry("children", t.child.id())
        .doesNotContainKey("parent");
  }

  @Test
  void end_parentExpired_recordsOpenChildrenAsExpired() throws Exception {
    Tree t = tree();

    Receipt receipt = revoker.end(t.parent.record, TaskState.EXPIRED, TaskRevoker.MINTER, "ttl elapsed");

    assertThat(receipt.all()).extracting(Receipt::reason).containsOnly("expire");
    assertThat(ledger.findTask(t.child.id()).orElseThrow().state()).isEqualTo(TaskState.EXPIRED);
    assertThat(ledger.findTask(t.grandchild.id()).orElseThrow().state()).isEqualTo(TaskState.EXPIRED);
    assertThat(AuditRecords.read(dir.resolve("audit.jsonl"))).extracting(r -> r.get("event"))
        .containsExactly("task.expire", "task.expire", "task.expire");
  }

  @Test
  void end_childAlreadyEnded_isNotEndedTwiceAndItsOpenChildStillDiesWithTheParentToken() throws Exception {
    Tree t = tree();
    Receipt childFirst = revoker.end(t.child.record, TaskState.REVOKED, "spiffe://corp.example/operators/bob", "suspicious");
    assertThat(childFirst.children()).extracting(Receipt::taskId).containsExactly(t.grandchild.id());

    Receipt receipt = revoker.end(t.parent.record, TaskState.REVOKED, "spiffe://corp.example/operators/bob", "incident");

    assertThat(receipt.children()).isEmpty();
    assertThat(receipt.confirmed()).isTrue();
    assertThat(AuditRecords.read(dir.resolve("audit.jsonl"))).extracting(r -> r.get("task"))
        .containsExactly(t.grandchild.id(), t.child.id(), t.parent.id());
    assertThatThrownBy(() -> revoker.end(t.child.record, TaskState.REVOKED, "x", null))
        .isInstanceOf(TaskException.class).hasMessageContaining("no longer open");
  }

  @Test
  void retire_agentWithDelegatedTask_endsTheSubAgentsTasksToo() throws Exception {
    Tree t = tree();
    ledger.recordSeen(PLANNER, "x509_svid", clock.instant());
    AgentLifecycle lifecycle = new AgentLifecycle(ledger, revoker, audit, clock);

    AgentLifecycle.Change change = lifecycle.setState(
        new dev.minter.attest.WorkloadIdentity("spiffe://corp.example/operators/bob", "x509_svid", Map.of()), PLANNER,
        dev.minter.ledger.AgentState.RETIRED, "decommissioned");

    assertThat(change.receipts()).singleElement().satisfies(r -> {
      assertThat(r.all()).extracting(Receipt::taskId).containsExactly(t.parent.id(), t.child.id(), t.grandchild.id());
      assertThat(r.confirmed()).isTrue();
    });
    for (Node n : t.all()) {
      assertThatThrownBy(() -> pg.login(n.db)).as(n.id()).isInstanceOf(SQLException.class);
    }
  }

  @Test
  void bulkRevoke_selectorMatchingParentAndChild_endsEachTaskOnceWithHonestCounts() throws Exception {
    Tree t = tree();
    List<Receipt> receipts = new ArrayList<>();
    TaskQuery planners = new TaskQuery(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.of(Set.of(PLANNER, HELPER)), Optional.empty(), Optional.empty());

    BulkRevoker.Summary summary = new BulkRevoker(ledger, revoker, clock)
        .run(planners, "spiffe://corp.example/operators/bob", "incident", false, new BulkRevoker.Listener() {
          @Override
          public void progress(long matched, long done, List<String> taskIds) {}

          @Override
          public void receipt(Receipt receipt) {
            receipts.add(receipt);
          }
        });

    // Planner's and helper's tasks were selected; the leaf's task is counted because ending its parent ends it.
    assertThat(summary).isEqualTo(new BulkRevoker.Summary(3, 3, 0, 0, false));
    assertThat(receipts).singleElement().satisfies(r -> {
      assertThat(r.taskId()).isEqualTo(t.parent.id());
      assertThat(r.all()).extracting(Receipt::taskId).containsExactly(t.parent.id(), t.child.id(), t.grandchild.id());
    });
    assertThat(AuditRecords.read(dir.resolve("audit.jsonl"))).hasSize(3);
  }

  @Test
  void bulkRevoke_dryRun_listsTheOpenDescendantsOfWhatMatches() throws Exception {
    Tree t = tree();
    List<String> ids = new ArrayList<>();
    TaskQuery planner = new TaskQuery(Optional.empty(), Optional.of(Glob.compile(PLANNER)), Optional.empty(),
        Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.empty(), Optional.empty());

    BulkRevoker.Summary summary = new BulkRevoker(ledger, revoker, clock)
        .run(planner, "op", null, true, new BulkRevoker.Listener() {
          @Override
          public void progress(long matched, long done, List<String> taskIds) {
            ids.addAll(taskIds);
          }

          @Override
          public void receipt(Receipt receipt) {}
        });

    assertThat(summary.matched()).isEqualTo(3);
    assertThat(ids).containsExactly(t.parent.id(), t.child.id(), t.grandchild.id());
    for (Node n : t.all()) {
      assertThat(pg.countReports(n.db)).isEqualTo(3); // a dry run revokes nothing
    }
    revoker.end(t.parent.record, TaskState.REVOKED, "cleanup", null);
  }

  /** planner's task p (delegated by alice) → helper's child c → leaf's grandchild g, each with a database login. */
  private Tree tree() throws SQLException {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    TaskToken pToken = vault.createTaskToken(DELEGATING, Duration.ofMinutes(5), Map.of("task", "p-" + suffix));
    TaskToken cToken = child(pToken, DELEGATING, Duration.ofMinutes(4));
    TaskToken gToken = child(cToken, List.of("task-analytics-ro"), Duration.ofMinutes(3));
    Link alice = Link.human("alice@corp.example");
    Node p = node("p-" + suffix, PLANNER, "", pToken, List.of(alice));
    Node c = node("c-" + suffix, HELPER, p.id(), cToken, List.of(alice, Link.agent(PLANNER, p.id(), "planners")));
    Node g = node("g-" + suffix, LEAF, c.id(), gToken,
        List.of(alice, Link.agent(PLANNER, p.id(), "planners"), Link.agent(HELPER, c.id(), "helpers")));
    for (Node n : List.of(p, c, g)) {
      assertThat(pg.countReports(n.db)).isEqualTo(3);
    }
    return new Tree(p, c, g);
  }

  /** A child token, created with the parent's token as Minter creates a child task's token. */
  private TaskToken child(TaskToken parent, List<String> policies, Duration ttl) {
    Credential.VaultToken token = vault.createChildToken(parent.token(), policies, ttl, Map.of());
    return new TaskToken(token.token(), token.accessor(), clock.instant().plus(ttl));
  }

  private Node node(String id, String agent, String parent, TaskToken token, List<Link> chain) {
    TaskRecord record = new TaskRecord(id, agent, "x509_svid", "report:weekly", List.of("analytics-ro"), "rule",
        Map.of(), token.token(), token.accessor(), clock.instant(), token.expiresAt(), TaskState.OPEN, Map.of(), parent,
        new DelegationView(chain, Optional.empty()));
    ledger.insertTask(record);
    MintedCredential minted = database.mint(vault, token, ANALYTICS_RO, Duration.ofMinutes(3));
    ledger.insertLease(new LeaseRecord(minted.leaseId(), id, "analytics-ro", minted.kind(), minted.leaseType(),
        clock.instant(), minted.expiresAt(), false));
    return new Node(record, token, (Credential.Database) minted.credential());
  }

  private record Node(TaskRecord record, TaskToken token, Credential.Database db) {
    String id() {
      return record.taskId();
    }
  }

  private record Tree(Node parent, Node child, Node grandchild) {
    List<Node> all() {
      return List.of(parent, child, grandchild);
    }
  }
}
