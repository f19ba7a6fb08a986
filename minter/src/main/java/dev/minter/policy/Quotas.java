package dev.minter.policy;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The limits that apply to one agent, from the policy file's {@code quotas} section: those counted for the agent
 * alone, and those counted over every agent of its owner. An empty value means "no limit from the policy" (the
 * delegation code still applies its own safe defaults for depth and fan-out).
 *
 * @param perAgent limits counted for this agent alone
 * @param perOwner limits counted over all agents of the agent's owner (ignored for agents without an owner)
 */
public record Quotas(Limits perAgent, Limits perOwner) {
  /** No limits at all. */
  public static final Quotas NONE = new Quotas(Limits.NONE, Limits.NONE);

  public Quotas {
    requireNonNull(perAgent, "perAgent");
    requireNonNull(perOwner, "perOwner");
  }

  /**
   * One set of limits.
   *
   * @param maxConcurrentTasks open tasks at once (counted from the ledger, so it survives restarts)
   * @param maxMintsPerMinute credentials minted in any 60-second window
   * @param maxTtl the longest task TTL, whatever the rule allows
   * @param maxDelegationDepth how many agents may stand between the first delegator and a child task
   * @param maxFanOut how many child tasks (open, or grants not yet redeemed) one task may have
   */
  public record Limits(
      OptionalInt maxConcurrentTasks,
      OptionalInt maxMintsPerMinute,
      Optional<Duration> maxTtl,
      OptionalInt maxDelegationDepth,
      OptionalInt maxFanOut) {
    public static final Limits NONE =
        new Limits(OptionalInt.empty(), OptionalInt.empty(), Optional.empty(), OptionalInt.empty(), OptionalInt.empty());

    public Limits {
      requireNonNull(maxConcurrentTasks, "maxConcurrentTasks");
      requireNonNull(maxMintsPerMinute, "maxMintsPerMinute");
      requireNonNull(maxTtl, "maxTtl");
      requireNonNull(maxDelegationDepth, "maxDelegationDepth");
      requireNonNull(maxFanOut, "maxFanOut");
    }

    /** Whether no limit is set at all. */
    public boolean isEmpty() {
      return equals(NONE);
    }

    /**
     * Each limit at its tightest of this and {@code other} (an absent limit loses to any present one): several
     * matching quota entries, or the per-agent and per-owner limits on a value that is not counted (TTL, depth).
     */
    public Limits tighter(Limits other) {
      requireNonNull(other, "other");
      return new Limits(
          min(maxConcurrentTasks, other.maxConcurrentTasks),
          min(maxMintsPerMinute, other.maxMintsPerMinute),
          maxTtl.isEmpty() ? other.maxTtl
              : other.maxTtl.isEmpty() || maxTtl.get().compareTo(other.maxTtl.get()) <= 0 ? maxTtl : other.maxTtl,
          min(maxDelegationDepth, other.maxDelegationDepth),
          min(maxFanOut, other.maxFanOut));
    }

    private static OptionalInt min(OptionalInt a, OptionalInt b) {
      if (a.isEmpty()) {
        return b;
      }
      return b.isEmpty() ? a : OptionalInt.of(Math.min(a.getAsInt(), b.getAsInt()));
    }
  }
}
