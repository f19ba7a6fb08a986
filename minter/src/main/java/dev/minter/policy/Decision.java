package dev.minter.policy;

import static java.util.Objects.requireNonNull;

/** A policy decision: {@link Allow} with a {@link Grant}, or {@link Deny}. The engine denies by default. */
public sealed interface Decision {

  record Allow(Grant grant) implements Decision {
    public Allow {
      requireNonNull(grant, "grant");
    }
  }

  /**
   * @param rule the id of the rule that denied, or {@code "default-deny"} when no rule matched
   * @param reason what was not allowed, in words a person can act on
   */
  record Deny(String rule, String reason) implements Decision {
    public static final String DEFAULT_DENY = "default-deny";

    public Deny {
      requireNonNull(rule, "rule");
      requireNonNull(reason, "reason");
    }
  }
}
