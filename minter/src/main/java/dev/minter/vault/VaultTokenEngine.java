package dev.minter.vault;

import static java.util.Objects.requireNonNull;

import dev.minter.policy.RoleSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Kind {@code vault-token}: a Vault token for the agent, created as a <em>child of the task token</em> with the
 * role's {@code tokenPolicies}, so it dies with the task. Revoked by accessor ({@link LeaseType#TOKEN}).
 */
public final class VaultTokenEngine implements CredentialEngine {
  public static final String KIND = "vault-token";

  private final Clock clock;

  public VaultTokenEngine(Clock clock) {
    this.clock = requireNonNull(clock, "clock");
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public MintedCredential mint(VaultGateway vault, TaskToken taskToken, RoleSpec role, Duration maxTtl) {
    requireNonNull(vault, "vault");
    requireNonNull(taskToken, "taskToken");
    Engines.requireKind(role, KIND);
    Engines.requirePositive(maxTtl);
    if (role.tokenPolicies().isEmpty()) {
      // Never ask for a child without policies: Vault would give it all of the task token's policies.
      throw new IllegalArgumentException("role " + role.name() + ": tokenPolicies is empty (expected: at least one)");
    }
    Credential.VaultToken child =
        vault.createChildToken(taskToken.token(), role.tokenPolicies(), maxTtl, Map.of("role", role.name()));
    Instant expiresAt = Engines.earliest(clock.instant().plus(maxTtl), taskToken.expiresAt());
    return new MintedCredential(KIND, child.accessor(), LeaseType.TOKEN, expiresAt, child);
  }
}
