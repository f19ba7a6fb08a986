package dev.minter.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

/** The generic engine against real OpenBao: a leased path works and is revocable; a path without a lease is refused. */
class GenericEngineIT {
  static final RoleSpec GENERIC_DB =
      new RoleSpec("db-generic", "generic", "database/creds/analytics-ro", List.of("task-analytics-ro"), List.of());
  static final RoleSpec GENERIC_KV =
      new RoleSpec("kv-generic", "generic", "kv/data/agents/shared/demo", List.of("agent-kv-read"), List.of());

  private static RealStack stack;
  private static VaultGateway vault;
  private final GenericEngine engine = new GenericEngine(Clock.systemUTC());

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
  void mint_leasedPath_secretsWorkAndLeaseRevokes() throws SQLException {
    TaskToken task = vault.createTaskToken(List.of("task-analytics-ro"), Duration.ofMinutes(5), Map.of());

    MintedCredential minted = engine.mint(vault, task, GENERIC_DB, Duration.ofMinutes(2));

    assertThat(minted.leaseType()).isEqualTo(LeaseType.LEASE);
    assertThat(minted.leaseId()).startsWith("database/creds/analytics-ro/");
    assertThat(minted.expiresAt()).isBeforeOrEqualTo(task.expiresAt());
    Map<String, Secret> data = ((Credential.Generic) minted.credential()).data();
    assertThat(minted.toString()).doesNotContain(data.get("password").reveal());
    Credential.Database db = new Credential.Database(data.get("username").reveal(), data.get("password"));
    Postgres pg = new Postgres(stack);
    assertThat(pg.countReports(db)).isEqualTo(3);

    assertThat(vault.revokeLease(minted.leaseId())).isEqualTo(RevocationOutcome.REVOKED);

    assertThat(pg.roleExists(db.username())).isFalse();
    vault.revokeAccessor(task.accessor());
  }

  @Test
  void mint_pathWithoutLease_refusedAsUnrevocable() {
    TaskToken task = vault.createTaskToken(List.of("agent-kv-read"), Duration.ofMinutes(5), Map.of());

    assertThatThrownBy(() -> engine.mint(vault, task, GENERIC_KV, Duration.ofMinutes(2)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("kv/data/agents/shared/demo")
        .hasMessageContaining("returned no lease")
        .hasMessageNotContaining("hello-agent");
    vault.revokeAccessor(task.accessor());
  }
}
