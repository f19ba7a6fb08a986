package dev.minter.vault;

import static java.util.Objects.requireNonNull;

import dev.minter.policy.RoleSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Kind {@code rabbitmq}: a dynamic RabbitMQ user from OpenBao's rabbitmq secrets engine (e.g.
 * {@code rabbitmq/creds/agents}), read <em>with the task token</em> so the user is deleted from the broker when
 * the task ends, is revoked, or expires. The role in OpenBao fixes the vhost permissions; Minter never widens them.
 */
public final class RabbitMqEngine implements CredentialEngine {
  public static final String KIND = "rabbitmq";

  private final Clock clock;

  public RabbitMqEngine(Clock clock) {
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
      throw new IllegalArgumentException("role " + role.name() + ": path is empty (expected: rabbitmq/creds/<role>)");
    }
    LeasedSecret secret = vault.read(taskToken.token(), role.path());
    Object username = secret.data().get("username");
    Object password = secret.data().get("password");
    // Without a lease the user could not be deleted early: refuse it rather than hand out an unrevocable login.
    if (secret.leaseId().isEmpty() || !(username instanceof String) || !(password instanceof String)) {
      throw new IllegalStateException(
          "OpenBao/Vault answered " + role.path() + " without a lease, username or password (is it a rabbitmq role?)");
    }
    Instant now = clock.instant();
    // The lease may outlive the task (rabbitmq/config/lease ttl); the task token's expiry revokes it earlier.
    Instant expiresAt = Engines.earliest(now.plus(secret.leaseDuration()), now.plus(maxTtl));
    return new MintedCredential(
        KIND,
        secret.leaseId(),
        LeaseType.LEASE,
        expiresAt,
        new Credential.RabbitMq((String) username, Secret.of((String) password)));
  }
}
