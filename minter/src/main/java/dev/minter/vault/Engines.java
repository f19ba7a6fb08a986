package dev.minter.vault;

import dev.minter.policy.RoleSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/** Checks shared by the credential engines. */
final class Engines {
  private Engines() {}

  static void requireKind(RoleSpec role, String kind) {
    Objects.requireNonNull(role, "role");
    if (!role.kind().equals(kind)) {
      throw new IllegalArgumentException(
          "role " + role.name() + ": kind '" + role.kind() + "' (expected: '" + kind + "')");
    }
  }

  static void requirePositive(Duration maxTtl) {
    Objects.requireNonNull(maxTtl, "maxTtl");
    if (maxTtl.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("maxTtl: " + maxTtl + " (expected: >= PT1S)");
    }
  }

  static Instant earliest(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  /** A leased username/password read with the task token (the shape of the database and rabbitmq engines). */
  record LeasedLogin(String leaseId, String username, Secret password, Instant expiresAt) {}

  /**
   * Reads {@code role.path()} with the task token and returns its leased username and password. Without a lease the
   * login could not be revoked early, so such an answer is refused rather than handed out.
   *
   * @param example the path shape to name in errors, e.g. {@code database/creds/<role>}
   */
  static LeasedLogin readLeasedLogin(
      VaultGateway vault, TaskToken taskToken, RoleSpec role, Duration maxTtl, String kind, String example,
      Clock clock) {
    Objects.requireNonNull(vault, "vault");
    Objects.requireNonNull(taskToken, "taskToken");
    requireKind(role, kind);
    requirePositive(maxTtl);
    if (role.path().isBlank()) {
      throw new IllegalArgumentException("role " + role.name() + ": path is empty (expected: " + example + ")");
    }
    LeasedSecret secret = vault.read(taskToken.token(), role.path());
    Object username = secret.data().get("username");
    Object password = secret.data().get("password");
    if (secret.leaseId().isEmpty() || !(username instanceof String) || !(password instanceof String)) {
      throw new IllegalStateException("OpenBao/Vault answered " + role.path()
          + " without a lease, username or password (is it a " + kind + " role?)");
    }
    Instant now = clock.instant();
    // The lease may outlive the task (the engine's default TTL); the task token's expiry revokes it earlier.
    Instant expiresAt = earliest(now.plus(secret.leaseDuration()), now.plus(maxTtl));
    return new LeasedLogin(secret.leaseId(), (String) username, Secret.of((String) password), expiresAt);
  }
}
