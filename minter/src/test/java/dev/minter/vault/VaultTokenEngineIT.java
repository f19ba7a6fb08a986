package dev.minter.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.minter.policy.RoleSpec;
import dev.minter.testing.Postgres;
import dev.minter.testing.RealStack;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The vault-token engine against real OpenBao: the agent's token is a child of the task token and dies with it. */
class VaultTokenEngineIT {
  static final RoleSpec AGENT_KV =
      new RoleSpec("agent-kv", "vault-token", "", List.of("task-vault-token", "agent-kv-read"), List.of("agent-kv-read"));
  static final String KV_SECRET = "kv/data/agents/shared/demo";

  private static RealStack stack;
  private static VaultGateway vault;
  private final VaultTokenEngine engine = new VaultTokenEngine(Clock.systemUTC());

  @BeforeAll
  static void startStack() {
    stack = RealStack.get();
    vault = new VaultGateway(stack.gatewayConfig(), Clock.systemUTC());
  }

  @AfterAll
  static void closeGateway() {
    vault.close();
  }

  @Test
  void mint_childOfTask_readsKvWithTokenPoliciesOnly() {
    TaskToken task = task(Duration.ofMinutes(5));

    MintedCredential minted = engine.mint(vault, task, AGENT_KV, Duration.ofMinutes(2));

    Credential.VaultToken child = (Credential.VaultToken) minted.credential();
    assertThat(minted.leaseType()).isEqualTo(LeaseType.TOKEN);
    assertThat(minted.leaseId()).isEqualTo(child.accessor());
    assertThat(child.policies()).containsExactly("agent-kv-read");
    RealStack.Response read = stack.call(child.token(), "GET", KV_SECRET, null);
    assertThat(read.status()).isEqualTo(200);
    assertThat(read.body().path("data").path("data").path("greeting").asText()).isEqualTo("hello-agent");
    assertThat(stack.call(child.token(), "GET", "database/creds/analytics-ro", null).status()).isEqualTo(403);
    TokenLookup lookup = vault.lookupAccessor(child.accessor()).orElseThrow();
    assertThat(lookup.orphan()).isFalse();
    assertThat(lookup.renewable()).isFalse();
    assertThat(lookup.ttl()).isBetween(Duration.ofSeconds(110), Duration.ofMinutes(2));
    vault.revokeAccessor(task.accessor());
  }

  @Test
  void revokeAccessor_taskToken_childTokenAndTaskLeasesDie() throws SQLException {
    TaskToken task =
        vault.createTaskToken(
            List.of("task-analytics-ro", "task-vault-token", "agent-kv-read"), Duration.ofMinutes(5), Map.of());
    Credential.VaultToken child =
        (Credential.VaultToken) engine.mint(vault, task, AGENT_KV, Duration.ofMinutes(5)).credential();
    Credential.Database db =
        (Credential.Database)
            new DatabaseEngine(Clock.systemUTC())
                .mint(vault, task, DatabaseEngineIT.ANALYTICS_RO, Duration.ofMinutes(5))
                .credential();
    Postgres pg = new Postgres(stack);
    assertThat(pg.countReports(db)).isEqualTo(3);

    assertThat(vault.revokeAccessor(task.accessor())).isEqualTo(RevocationOutcome.REVOKED);

    assertThat(vault.tokenAlive(child.accessor())).isFalse();
    assertThat(stack.call(child.token(), "GET", KV_SECRET, null).status()).isEqualTo(403);
    // Token revocation cleans up leases asynchronously: bounded wait for the database user to be dropped.
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(300))
        .untilAsserted(() -> assertThatThrownBy(() -> pg.login(db)).isInstanceOf(SQLException.class));
  }

  @Test
  void mint_roleWithoutTokenPolicies_refusedBeforeAskingVault() {
    RoleSpec empty = new RoleSpec("bad", "vault-token", "", List.of("task-vault-token"), List.of());

    assertThatThrownBy(() -> engine.mint(vault, task(Duration.ofMinutes(1)), empty, Duration.ofMinutes(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tokenPolicies is empty");
  }

  @Test
  void mint_tokenPolicyTaskDoesNotHold_refusedByVault() {
    TaskToken task = vault.createTaskToken(List.of("task-vault-token"), Duration.ofMinutes(1), Map.of());

    assertThatThrownBy(() -> engine.mint(vault, task, AGENT_KV, Duration.ofMinutes(1)))
        .isInstanceOf(VaultRequestException.class)
        .hasMessageContaining("subset");
    vault.revokeAccessor(task.accessor());
  }

  private static TaskToken task(Duration ttl) {
    return vault.createTaskToken(List.of("task-vault-token", "agent-kv-read"), ttl, Map.of("task", "vt-it"));
  }
}
