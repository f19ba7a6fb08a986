package dev.minter.vault;

import static java.util.Objects.requireNonNull;

import dev.minter.policy.RoleSpec;
import java.time.Clock;
import java.time.Duration;

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
    Engines.LeasedLogin login =
        Engines.readLeasedLogin(vault, taskToken, role, maxTtl, KIND, "rabbitmq/creds/<role>", clock);
    return new MintedCredential(
        KIND, login.leaseId(), LeaseType.LEASE, login.expiresAt(),
        new Credential.RabbitMq(login.username(), login.password()));
  }
}
