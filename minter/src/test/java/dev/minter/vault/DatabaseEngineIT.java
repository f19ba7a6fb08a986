package dev.minter.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.minter.policy.RoleSpec;
import dev.minter.testing.Postgres;
import dev.minter.testing.RealStack;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The database engine against real OpenBao and PostgreSQL: a minted user works, and dies with its lease/task. */
class DatabaseEngineIT {
  static final RoleSpec ANALYTICS_RO =
      new RoleSpec("analytics-ro", "database", "database/creds/analytics-ro", List.of("task-analytics-ro"), List.of());

  private static RealStack stack;
  private static VaultGateway vault;
  private static Postgres pg;
  private final DatabaseEngine engine = new DatabaseEngine(Clock.systemUTC());

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

  @Test
  void mint_withTaskToken_loginAndSelectOnReportsWork() throws SQLException {
    TaskToken task = task(Duration.ofMinutes(5));

    MintedCredential minted = engine.mint(vault, task, ANALYTICS_RO, Duration.ofMinutes(5));

    assertThat(minted.kind()).isEqualTo("database");
    assertThat(minted.leaseType()).isEqualTo(LeaseType.LEASE);
    assertThat(minted.leaseId()).startsWith("database/creds/analytics-ro/");
    Credential.Database db = (Credential.Database) minted.credential();
    assertThat(pg.countReports(db)).isEqualTo(3);
    assertThat(minted.toString()).doesNotContain(db.password().reveal());
    vault.revokeAccessor(task.accessor());
  }

  @Test
  void revokeLease_sync_loginRefusedOpenSessionEndedAndRoleGone() throws SQLException {
    TaskToken task = task(Duration.ofMinutes(5));
    MintedCredential minted = engine.mint(vault, task, ANALYTICS_RO, Duration.ofMinutes(5));
    Credential.Database db = (Credential.Database) minted.credential();
    try (Connection open = pg.login(db)) {
      assertThat(Postgres.countReports(open)).isEqualTo(3);

      assertThat(vault.revokeLease(minted.leaseId())).isEqualTo(RevocationOutcome.REVOKED);

      // sync=true: when revokeLease returns, PostgreSQL has already run the revocation statements.
      assertThat(pg.roleExists(db.username())).isFalse();
      assertThatThrownBy(() -> pg.login(db)).isInstanceOf(SQLException.class);
      assertThatThrownBy(() -> Postgres.countReports(open)).isInstanceOf(SQLException.class);
    }
    assertThat(vault.revokeLease(minted.leaseId())).isEqualTo(RevocationOutcome.ALREADY_GONE);
    vault.revokeAccessor(task.accessor());
  }

  @Test
  void mint_taskTokenTtlPasses_loginRefusedWithoutAnyRevocation() throws SQLException {
    TaskToken task = task(Duration.ofSeconds(3));
    MintedCredential minted = engine.mint(vault, task, ANALYTICS_RO, Duration.ofSeconds(3));
    Credential.Database db = (Credential.Database) minted.credential();
    assertThat(pg.countReports(db)).isEqualTo(3);

    // Nobody revokes: OpenBao's own expiry of the task token takes its lease and the database user with it.
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> assertThatThrownBy(() -> pg.login(db)).isInstanceOf(SQLException.class));
    await().atMost(Duration.ofSeconds(10)).until(() -> !pg.roleExists(db.username()));
    assertThat(vault.tokenAlive(task.accessor())).isFalse();
  }

  @Test
  void mint_leaseLongerThanTask_expiresAtCappedAtMaxTtl() {
    Instant now = Instant.parse("2030-01-01T00:00:00Z");
    DatabaseEngine fixed = new DatabaseEngine(Clock.fixed(now, ZoneOffset.UTC));
    TaskToken task = task(Duration.ofMinutes(1));

    MintedCredential minted = fixed.mint(vault, task, ANALYTICS_RO, Duration.ofMinutes(1));

    assertThat(minted.expiresAt()).isEqualTo(now.plus(Duration.ofMinutes(1))); // lease is 5m (default_ttl)
    vault.revokeAccessor(task.accessor());
  }

  @Test
  void mint_taskWithoutTheRolesPolicy_refused403() {
    TaskToken task = vault.createTaskToken(List.of("agent-kv-read"), Duration.ofMinutes(1), Map.of());

    assertThatThrownBy(() -> engine.mint(vault, task, ANALYTICS_RO, Duration.ofMinutes(1)))
        .isInstanceOf(VaultRequestException.class)
        .satisfies(e -> assertThat(((VaultRequestException) e).status()).isEqualTo(403));
    vault.revokeAccessor(task.accessor());
  }

  private static TaskToken task(Duration ttl) {
    return vault.createTaskToken(List.of("task-analytics-ro"), ttl, Map.of("task", "db-it"));
  }
}
