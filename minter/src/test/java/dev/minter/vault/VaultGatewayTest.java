package dev.minter.vault;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the gateway decides before or without a server: argument checks and the unreachable fault. */
class VaultGatewayTest {
  private static final Secret TOKEN = Secret.of("s.never-in-a-message");
  private URI address;
  private VaultGateway vault;

  @BeforeEach
  void gatewayToAClosedPort() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    address = URI.create("http://127.0.0.1:" + port);
    vault =
        new VaultGateway(
            new VaultGatewayConfig(address, () -> TOKEN, "minter-task", Duration.ofSeconds(2), Optional.empty()),
            Clock.systemUTC());
  }

  @AfterEach
  void close() {
    vault.close();
  }

  @Test
  void createTaskToken_noServer_unavailableNamingAddressNotToken() {
    assertThatThrownBy(() -> vault.createTaskToken(List.of("task-analytics-ro"), Duration.ofMinutes(1), Map.of()))
        .isInstanceOf(VaultUnavailableException.class)
        .hasMessageStartingWith("OpenBao/Vault at " + address + " is unreachable: connection refused")
        .hasMessageNotContaining(TOKEN.reveal());
  }

  @Test
  void createTaskToken_noPolicies_rejectedBeforeAskingVault() {
    // Vault would copy the caller's own policies onto a token asked for with none.
    assertThatThrownBy(() -> vault.createTaskToken(List.of(), Duration.ofMinutes(1), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("policies: [] (expected: at least one policy)");
  }

  @Test
  void createChildToken_subSecondTtl_rejected() {
    assertThatThrownBy(() -> vault.createChildToken(TOKEN, List.of("p"), Duration.ofMillis(500), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ttl: PT0.5S (expected: >= PT1S)");
  }

  @Test
  void createChildToken_withTheDelegatePolicy_rejectedBeforeAskingVault() {
    // A token handed to an agent must never be able to create task tokens through the child role.
    assertThatThrownBy(
            () -> vault.createChildToken(TOKEN, List.of("kv-read", VaultGateway.DELEGATE_POLICY), Duration.ofMinutes(1), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(VaultGateway.DELEGATE_POLICY);
  }

  @Test
  void revokeLease_blankId_rejected() {
    assertThatThrownBy(() -> vault.revokeLease(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("leaseId:");
  }

  @Test
  void read_absolutePath_rejected() {
    assertThatThrownBy(() -> vault.read(TOKEN, "/v1/database/creds/x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("path:");
  }
}
