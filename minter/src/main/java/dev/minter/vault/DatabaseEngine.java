package dev.minter.vault;

import static java.util.Objects.requireNonNull;

import dev.minter.policy.RoleSpec;
import java.time.Clock;
import java.time.Duration;

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
    Engines.LeasedLogin login =
        Engines.readLeasedLogin(vault, taskToken, role, maxTtl, KIND, "database/creds/<role>", clock);
    return new MintedCredential(
        KIND, login.leaseId(), LeaseType.LEASE, login.expiresAt(),
        new Credential.Database(login.username(), login.password()));
  }
}
