package dev.minter.policy;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * Why the policy decides a request as it does, for operators ({@code minter policy explain}). Produced only by
 * {@link Policy#explain}, from the same checks {@link Policy#decide} runs.
 *
 * @param decision exactly what {@link Policy#decide} returns for the request
 * @param malformed a fault of the request itself (unknown role, no purpose, …) that no rule could allow; when
 *     present, no rule's checks are run
 * @param rules one trace per rule, in file order (the order they are tried in)
 */
public record PolicyExplanation(Decision decision, Optional<String> malformed, List<RuleTrace> rules) {
  public PolicyExplanation {
    requireNonNull(decision, "decision");
    requireNonNull(malformed, "malformed");
    rules = List.copyOf(requireNonNull(rules, "rules"));
  }

  /** Whether the request is allowed. */
  public boolean allowed() {
    return decision instanceof Decision.Allow;
  }

  /**
   * One rule as it met the request.
   *
   * @param rule the rule id
   * @param applies whether one of its identity globs matches the caller
   * @param checks what was checked, one line each, e.g. {@code "role analytics-ro: granted"},
   *     {@code "ttl PT2H: exceeds PT15M"}; the first line is the identity match
   * @param allows whether this rule allows the whole request
   */
  public record RuleTrace(String rule, boolean applies, List<String> checks, boolean allows) {
    public RuleTrace {
      requireNonNull(rule, "rule");
      checks = List.copyOf(requireNonNull(checks, "checks"));
    }
  }
}
