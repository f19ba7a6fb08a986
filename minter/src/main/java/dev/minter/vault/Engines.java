package dev.minter.vault;

import dev.minter.policy.RoleSpec;
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
}
