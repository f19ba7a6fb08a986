package dev.minter.e2e;

import static dev.minter.e2e.Admins.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.minter.Main;
import dev.minter.e2e.RevokeBySelectorIT.Live;
import dev.minter.ledger.LeaseRecord;
import dev.minter.ledger.SqliteLedger;
import dev.minter.ledger.TaskRecord;
import dev.minter.ledger.TaskState;
import dev.minter.ledger.TokenCipher;
import dev.minter.policy.DelegationView;
import dev.minter.policy.DelegationView.Link;
import dev.minter.policy.RoleSpec;
import dev.minter.proto.v1.RevocationReceipt;
import dev.minter.testing.Postgres;
import dev.minter.vault.Credential;
import dev.minter.vault.DatabaseEngine;
import dev.minter.vault.MintedCredential;
import dev.minter.vault.VaultGateway;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Delegation subtrees through the real server, admin API and CLI. Until the Delegate RPC lands on this branch, the
 * child task is made as Minter makes one: its token is created with the parent task's token (read from the server's
 * own ledger), it mints its own database login, and its row (parent, chain) is written to the server's ledger.
 */
class DelegationSubtreeCliIT {
  static final String PLANNER = "spiffe://minter.local/agents/planner";
  static final String HELPER = "spiffe://minter.local/agents/helper";
  static final RoleSpec ANALYTICS_RO =
      new RoleSpec("analytics-ro", "database", "database/creds/analytics-ro", List.of("task-analytics-ro"), List.of());
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  static MinterFixture minter;
  static VaultGateway vault;

  @BeforeAll
  static void start() throws Exception {
    minter = new MinterFixture(dir).start();
    minter.svid("admin", MinterFixture.ADMIN);
    vault = new VaultGateway(minter.stack.gatewayConfig(), Clock.systemUTC());
  }

  @AfterAll
  static void stop() {
    vault.close();
    minter.close();
  }

  @Test
  void subtree_readListRevokeAndComplete_throughTheCli() throws Exception {
    try (Agent planner = new Agent(minter.channelFor(PLANNER))) {
      String parentId = planner.begin("report:delegated", 300, "analytics-ro", "vault-token").getTaskId();
      Live parent = new Live(parentId, planner.mint(parentId, "analytics-ro"));
      String childId = "tsk_child" + Long.toHexString(System.nanoTime());
      Credential.Database childDb = childTask(parentId, childId);

      Run getChild = run("tasks", "get", childId, "-o", "table");
      Run getParent = run("tasks", "get", parentId, "-o", "table");
      JsonNode subtree = JSON.readTree(run("tasks", "ls", "--subtree", parentId, "-o", "json").out);
      JsonNode delegated = JSON.readTree(run("tasks", "ls", "--delegator", PLANNER, "-o", "json").out);
      Run agent = run("agents", "show", HELPER, "-o", "table");
      Run dryRun = run("revoke", "--subtree", parentId, "--dry-run");

      assertThat(getChild.out)
          .contains("parent    " + parentId)
          .contains("chain     alice@corp.example → " + PLANNER + " (task " + parentId + ") → " + HELPER + " (task "
              + childId + ")");
      assertThat(getParent.out).contains("children  " + childId + " (open)").contains("chain     none (not delegated)");
      assertThat(subtree.path("tasks")).extracting(t -> t.path("taskId").asText()).containsExactly(parentId, childId);
      assertThat(delegated.path("tasks")).extracting(t -> t.path("taskId").asText()).containsExactly(childId);
      assertThat(agent.out).containsPattern("delegators +alice@corp.example, " + PLANNER);
      assertThat(dryRun.out).contains("would revoke 2 open task(s)", parentId, childId);

      RevocationReceipt receipt = planner.complete(parentId);

      assertThat(receipt.getChildrenList()).extracting(RevocationReceipt::getTaskId).containsExactly(childId);
      assertThat(receipt.getChildren(0).getCredentials(0).getStatus())
          .isEqualTo(dev.minter.proto.v1.RevocationStatus.REVOKED);
      assertRefused(parent.cred());
      assertThatThrownBy(() -> new Postgres(minter.stack).login(childDb)).isInstanceOf(SQLException.class);
      assertThat(run("tasks", "get", childId, "-o", "table").out).contains("state     revoked");
    }
  }

  /** A child of {@code parentId} held by HELPER, delegated by alice through PLANNER, with its own database login. */
  private static Credential.Database childTask(String parentId, String childId) throws SQLException {
    try (SqliteLedger ledger = SqliteLedger.open(dir.resolve("ledger.db"),
        TokenCipher.loadOrCreate(dir.resolve("ledger.key")), Clock.systemUTC())) {
      TaskRecord parent = ledger.findTask(parentId).orElseThrow();
      Duration ttl = Duration.ofMinutes(4);
      Credential.VaultToken token = vault.createChildToken(parent.token(), List.of("task-analytics-ro"), ttl, Map.of());
      Instant now = Instant.now();
      DelegationView view = new DelegationView(
          List.of(Link.human("alice@corp.example"), Link.agent(PLANNER, parentId, parent.rule())), Optional.empty());
      ledger.insertTask(new TaskRecord(childId, HELPER, "x509_svid", "report:delegated", List.of("analytics-ro"),
          "agents", Map.of(), token.token(), token.accessor(), now, now.plus(ttl), TaskState.OPEN, Map.of(), parentId,
          view));
      ledger.recordSeen(HELPER, "x509_svid", now);
      MintedCredential minted = new DatabaseEngine(Clock.systemUTC())
          .mint(vault, new dev.minter.vault.TaskToken(token.token(), token.accessor(), now.plus(ttl)), ANALYTICS_RO, ttl);
      ledger.insertLease(new LeaseRecord(minted.leaseId(), childId, "analytics-ro", minted.kind(), minted.leaseType(),
          now, minted.expiresAt(), false));
      Credential.Database db = (Credential.Database) minted.credential();
      assertThat(new Postgres(minter.stack).countReports(db)).isPositive();
      return db;
    }
  }

  record Run(int code, String out, String err) {}

  private static synchronized Run run(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(minter.clientFiles("admin"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    int code;
    try {
      var cli = Main.commandLine();
      cli.setOut(new java.io.PrintWriter(System.out, true));
      cli.setErr(new java.io.PrintWriter(System.err, true));
      code = cli.execute(all.toArray(String[]::new));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
