package dev.minter.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minter.policy.RoleSpec;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CredentialEnginesTest {
  private final CredentialEngines engines = CredentialEngines.builtIn(Clock.systemUTC());

  @Test
  void builtIn_knownKinds_oneEnginePerKind() {
    assertThat(engines.kinds()).containsExactly("database", "generic", "pki", "rabbitmq", "ssh", "vault-token");
    assertThat(engines.require("pki")).isInstanceOf(PkiEngine.class);
    assertThat(engines.require("ssh")).isInstanceOf(SshEngine.class);
    assertThat(engines.require("generic")).isInstanceOf(GenericEngine.class);
    assertThat(engines.require("database")).isInstanceOf(DatabaseEngine.class);
    assertThat(engines.require("vault-token")).isInstanceOf(VaultTokenEngine.class);
  }

  @Test
  void require_unknownKind_namesKnownKinds() {
    assertThatThrownBy(() -> engines.require("aws"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown credential kind 'aws' (known: [database, generic, pki, rabbitmq, ssh, vault-token])");
  }

  @Test
  void new_sameKindTwice_rejected() {
    Clock clock = Clock.systemUTC();

    assertThatThrownBy(() -> new CredentialEngines(List.of(new DatabaseEngine(clock), new DatabaseEngine(clock))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'database' registered twice");
  }

  @Test
  void mint_roleOfAnotherKind_rejectedBeforeAskingVault() {
    RoleSpec tokenRole = new RoleSpec("agent-kv", "vault-token", "", List.of("task-vault-token"), List.of("x"));
    TaskToken task = new TaskToken(Secret.of("s.t"), "acc", Instant.EPOCH);
    try (VaultGateway vault =
        new VaultGateway(
            new VaultGatewayConfig(
                URI.create("http://127.0.0.1:1"), () -> Secret.of("t"), "r", Duration.ofSeconds(1), Optional.empty()),
            Clock.systemUTC())) {
      assertThatThrownBy(() -> engines.require("database").mint(vault, task, tokenRole, Duration.ofMinutes(1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("role agent-kv: kind 'vault-token' (expected: 'database')");
    }
  }
}
