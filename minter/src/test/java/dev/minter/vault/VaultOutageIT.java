package dev.minter.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minter.testing.Postgres;
import dev.minter.testing.RealStack;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** OpenBao really stopped and restarted: clear faults while it is down, and everything works again after. */
class VaultOutageIT {
  private static RealStack stack;
  private static VaultGateway vault;

  @BeforeAll
  static void startStack() {
    stack = RealStack.get();
    vault = new VaultGateway(stack.gatewayConfig(), Clock.systemUTC());
  }

  @AfterEach
  void openBaoBack() {
    stack.startOpenBao(); // leaves a running server alone; other tests share this stack
  }

  @AfterAll
  static void closeGateway() {
    vault.close();
  }

  @Test
  void createTaskToken_openBaoStopped_unavailableWithClearMessageThenWorksAfterStart() throws SQLException {
    stack.stopOpenBao();

    assertThatThrownBy(() -> vault.createTaskToken(List.of("task-analytics-ro"), Duration.ofMinutes(1), Map.of()))
        .isInstanceOf(VaultUnavailableException.class)
        .hasMessageContaining("OpenBao/Vault at " + stack.baoAddr() + " is unreachable: connection refused")
        .hasMessageNotContaining(VaultGatewayConfig.tokenFile(stack.minterTokenFile()).get().reveal());
    assertThatThrownBy(() -> vault.revokeLease("database/creds/analytics-ro/x"))
        .isInstanceOf(VaultUnavailableException.class);

    stack.startOpenBao();

    TaskToken task = vault.createTaskToken(List.of("task-analytics-ro"), Duration.ofMinutes(1), Map.of());
    MintedCredential minted =
        new DatabaseEngine(Clock.systemUTC()).mint(vault, task, DatabaseEngineIT.ANALYTICS_RO, Duration.ofMinutes(1));
    assertThat(new Postgres(stack).countReports((Credential.Database) minted.credential())).isEqualTo(3);
    vault.revokeAccessor(task.accessor());
  }

  @Test
  void createTaskToken_openBaoSealed_unavailableThenWorksAfterUnseal() {
    assertThat(stack.asRoot("PUT", "sys/seal", null).status()).isEqualTo(204);

    assertThatThrownBy(() -> vault.createTaskToken(List.of("task-analytics-ro"), Duration.ofMinutes(1), Map.of()))
        .isInstanceOf(VaultUnavailableException.class)
        .hasMessageContaining("is unreachable: HTTP 503")
        .hasMessageContaining("sealed");

    stack.startOpenBao(); // running but sealed: stack.sh unseals it

    TaskToken task = vault.createTaskToken(List.of("task-analytics-ro"), Duration.ofMinutes(1), Map.of());
    assertThat(vault.revokeAccessor(task.accessor())).isEqualTo(RevocationOutcome.REVOKED);
  }

  @Test
  void restartOpenBao_persistentStorage_taskTokenAndLeaseSurvive() throws SQLException {
    TaskToken task = vault.createTaskToken(List.of("task-analytics-ro"), Duration.ofMinutes(5), Map.of());
    MintedCredential minted =
        new DatabaseEngine(Clock.systemUTC()).mint(vault, task, DatabaseEngineIT.ANALYTICS_RO, Duration.ofMinutes(5));

    stack.restartOpenBao();

    assertThat(vault.tokenAlive(task.accessor())).isTrue();
    assertThat(new Postgres(stack).countReports((Credential.Database) minted.credential())).isEqualTo(3);
    assertThat(vault.revokeLease(minted.leaseId())).isEqualTo(RevocationOutcome.REVOKED);
    vault.revokeAccessor(task.accessor());
  }
}
