package dev.minter.policy;

/**
 * A policy file that cannot be used: unreadable, not YAML, or not a valid policy. The message names the file,
 * the offending key and what was expected, e.g. {@code policy.yaml: rules[1].max_ttl: 0s (expected: > 0)}.
 *
 * <p>This is a fault of the configuration, never a decision: a request the policy does not allow is a {@link
 * Decision.Deny}, not an exception.
 */
public final class PolicyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public PolicyException(String message) {
    super(message);
  }

  public PolicyException(String message, Throwable cause) {
    super(message, cause);
  }
}
