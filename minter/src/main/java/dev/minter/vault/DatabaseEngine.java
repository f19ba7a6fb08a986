package dev.minter.vault;

import static java.util.Objects.requireNonNull;

import dev.minter.policy.RoleSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Kind {@code database}: a dynamic database user from a database secrets engine role (e.g.
 * {@code database/creds/analytics-ro}), read <em>with the task token</em> so the user is dropped when the task
 * ends, is revoked, or expires.
 */
public final class DatabaseEngine implements CredentialEngine {
  public static final String KIND = "database";

  private final Clock clock;

  public DatabaseEngine(Clock clock) {
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
    if (role.path().isBlank()) {
      throw new IllegalArgumentException("role " + role.name() + ": path is empty (expected: database/creds/<role>)");
    }
    LeasedSecret secret = vault.read(taskToken.token(), role.path());
    Object username = secret.data().get("username");
    Object password = secret.data().get("password");
    if (secret.leaseId().isEmpty() || !(username instanceof String) || !(password instanceof String)) {
      throw new IllegalStateException(
          "OpenBao/Vault answered " + role.path() + " without a lease, username or password (is it a database role?)");
    }
    Instant now = clock.instant();
    // The lease may be longer than the task (default_ttl); the task token's expiry revokes it earlier.
    Instant expiresAt = Engines.earliest(now.plus(secret.leaseDuration()), now.plus(maxTtl));
    return new MintedCredential(
        KIND,
        secret.leaseId(),
        LeaseType.LEASE,
        expiresAt,
        new Credential.Database((String) username, Secret.of((String) password)));
  }
}
