package dev.minter.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.minter.testing.RealStack;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** VaultGateway against the real OpenBao, acting with Minter's real least-privilege token. */
class VaultGatewayIT {
  private static RealStack stack;
  private static VaultGateway vault;

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
  void createTaskToken_validRequest_orphanServiceTokenWithExactPoliciesTtlAndMetadata() {
    Map<String, String> meta = Map.of("task", "t-1", "agent", "spiffe://corp.example/agents/bot", "purpose", "q3");

    TaskToken task = vault.createTaskToken(List.of("task-analytics-ro"), Duration.ofMinutes(10), meta);

    RealStack.Response lookup = stack.asRoot("POST", "auth/token/lookup-accessor", Map.of("accessor", task.accessor()));
    assertThat(lookup.status()).isEqualTo(200);
    JsonNode data = lookup.body().path("data");
    assertThat(data.path("orphan").asBoolean()).isTrue();
    assertThat(data.path("type").asText()).isEqualTo("service");
    assertThat(data.path("renewable").asBoolean()).isFalse();
    // No "default" policy; the delegate policy lets the task be the parent of a sub-agent's child task.
    assertThat(strings(data.path("policies"))).containsExactlyInAnyOrder("task-analytics-ro", VaultGateway.DELEGATE_POLICY);
    assertThat(data.path("explicit_max_ttl").asLong()).isEqualTo(600);
    assertThat(data.path("ttl").asLong()).isBetween(590L, 600L);
    assertThat(data.path("meta").path("task").asText()).isEqualTo("t-1");
    assertThat(data.path("meta").path("agent").asText()).isEqualTo("spiffe://corp.example/agents/bot");
    assertThat(data.path("meta").path("purpose").asText()).isEqualTo("q3");
    assertThat(data.path("role").asText()).isEqualTo("minter-task");
  }

  @Test
  void createChildTaskToken_withParentTaskToken_nonOrphanChildRevokedWithItsParent() {
    TaskToken parent = vault.createTaskToken(List.of("task-analytics-ro"), Duration.ofMinutes(5), Map.of("task", "p"));

    TaskToken child =
        vault.createChildTaskToken(parent.token(), List.of("task-analytics-ro"), Duration.ofMinutes(2), Map.of("task", "c"));

    JsonNode data = stack.asRoot("POST", "auth/token/lookup-accessor", Map.of("accessor", child.accessor()))
        .body().path("data");
    assertThat(data.path("orphan").asBoolean()).isFalse();
    assertThat(data.path("role").asText()).isEqualTo("minter-task-child");
    assertThat(data.path("explicit_max_ttl").asLong()).isEqualTo(120);
    assertThat(strings(data.path("policies"))).containsExactlyInAnyOrder("task-analytics-ro", VaultGateway.DELEGATE_POLICY);

    assertThat(vault.revokeAccessor(parent.accessor())).isEqualTo(RevocationOutcome.REVOKED);

    assertThat(vault.tokenAlive(child.accessor())).isFalse();
  }

  @Test
  void createChildTaskToken_policyTheParentLacks_vaultAllowsIt_soMinterMustCheckChildWithinParent() {
    // Why ChildGrants confines a child to its parent: the token role checks only its own allowed_policies list.
    TaskToken parent = vault.createTaskToken(List.of("task-analytics-ro"), Duration.ofMinutes(5), Map.of());

    TaskToken child =
        vault.createChildTaskToken(parent.token(), List.of("task-vault-token"), Duration.ofMinutes(1), Map.of());

    assertThat(vault.lookupAccessor(child.accessor()).orElseThrow().policies()).contains("task-vault-token");
    vault.revokeAccessor(parent.accessor());
  }

  @Test
  void createTaskToken_injectedClock_expiresAtIsClockPlusLeaseDuration() {
    Instant fixed = Instant.parse("2030-01-01T00:00:00Z");
    try (VaultGateway fixedClock = new VaultGateway(stack.gatewayConfig(), Clock.fixed(fixed, ZoneOffset.UTC))) {
      TaskToken task = fixedClock.createTaskToken(List.of("task-analytics-ro"), Duration.ofSeconds(90), Map.of());

      assertThat(task.expiresAt()).isEqualTo(fixed.plusSeconds(90));
      vault.revokeAccessor(task.accessor());
    }
  }

  @Test
  void lookupAccessor_liveTaskToken_reportsPoliciesAndMetadata() {
    TaskToken task =
        vault.createTaskToken(List.of("task-vault-token", "agent-kv-read"), Duration.ofMinutes(5), Map.of("task", "t-2"));

    TokenLookup lookup = vault.lookupAccessor(task.accessor()).orElseThrow();

    assertThat(lookup.policies())
        .containsExactlyInAnyOrder("task-vault-token", "agent-kv-read", VaultGateway.DELEGATE_POLICY);
    assertThat(lookup.metadata()).containsEntry("task", "t-2");
    assertThat(lookup.orphan()).isTrue();
    assertThat(lookup.ttl()).isBetween(Duration.ofSeconds(290), Duration.ofMinutes(5));
  }

  @Test
  void revokeAccessor_liveTaskToken_revokedThenAlreadyGone() {
    TaskToken task = vault.createTaskToken(List.of("task-analytics-ro"), Duration.ofMinutes(5), Map.of());
    assertThat(vault.tokenAlive(task.accessor())).isTrue();

    assertThat(vault.revokeAccessor(task.accessor())).isEqualTo(RevocationOutcome.REVOKED);

    assertThat(vault.tokenAlive(task.accessor())).isFalse();
    assertThat(stack.call(task.token(), "GET", "auth/token/lookup-self", null).status()).isEqualTo(403);
    assertThat(vault.revokeAccessor(task.accessor())).isEqualTo(RevocationOutcome.ALREADY_GONE);
  }

  @Test
  void revokeAccessor_unknownAccessor_alreadyGone() {
    assertThat(vault.revokeAccessor("NoSuchAccessor0000000000")).isEqualTo(RevocationOutcome.ALREADY_GONE);
  }

  @Test
  void revokeLease_unknownLease_alreadyGone() {
    assertThat(vault.revokeLease("database/creds/analytics-ro/NoSuchLease000000000"))
        .isEqualTo(RevocationOutcome.ALREADY_GONE);
  }

  @Test
  void renewSelf_periodicMinterToken_returnsItsPeriod() {
    assertThat(vault.renewSelf()).isBetween(Duration.ofHours(23), Duration.ofHours(24));
  }

  @Test
  void read_refused_messageCarriesVaultErrorButNoToken() {
    Secret minterToken = VaultGatewayConfig.tokenFile(stack.minterTokenFile()).get();

    assertThatThrownBy(() -> vault.read(minterToken, "database/creds/analytics-ro"))
        .isInstanceOf(VaultRequestException.class)
        .hasMessageContaining("permission denied")
        .hasMessageContaining("database/creds/analytics-ro")
        .hasMessageNotContaining(minterToken.reveal());
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(node -> out.add(node.asText()));
    return out;
  }
}
