package dev.minter.policy;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

/**
 * The anomaly detector's tunables, from the policy file's {@code anomalies} section (defaults for what it omits).
 * They travel with the policy, so a reload retunes the detector without losing what it has learned.
 *
 * @param mintRate {@link #MINT_RATE}
 * @param newRole {@link #NEW_ROLE}
 * @param newPurpose {@link #NEW_PURPOSE}
 * @param unusualHour {@link #UNUSUAL_HOUR}
 * @param attestationFailures {@link #ATTESTATION_FAILURES}
 * @param delegationFanOut {@link #DELEGATION_FAN_OUT}
 */
public record AnomalySettings(
    MintRate mintRate,
    Learning newRole,
    Learning newPurpose,
    Hours unusualHour,
    Failures attestationFailures,
    FanOut delegationFanOut) {
  /** An agent mints much faster than its own moving average. */
  public static final String MINT_RATE = "mint_rate";
  /** An agent asks for a role it never used, after its learning period. */
  public static final String NEW_ROLE = "new_role";
  /** An agent declares a purpose it never declared, after its learning period. */
  public static final String NEW_PURPOSE = "new_purpose";
  /** An agent acts in a UTC hour in which it (almost) never acts. */
  public static final String UNUSUAL_HOUR = "unusual_hour";
  /** Many failed attestations from one source within a window. */
  public static final String ATTESTATION_FAILURES = "attestation_failures";
  /** A task hands out many more delegation grants than the agent's tasks usually do. */
  public static final String DELEGATION_FAN_OUT = "delegation_fan_out";
  /** Every kind, in the order the documentation lists them. */
  public static final List<String> KINDS =
      List.of(MINT_RATE, NEW_ROLE, NEW_PURPOSE, UNUSUAL_HOUR, ATTESTATION_FAILURES, DELEGATION_FAN_OUT);

  public static final AnomalySettings DEFAULTS =
      new AnomalySettings(
          MintRate.DEFAULTS, Learning.DEFAULTS, Learning.DEFAULTS, Hours.DEFAULTS, Failures.DEFAULTS, FanOut.DEFAULTS);

  public AnomalySettings {
    requireNonNull(mintRate, "mintRate");
    requireNonNull(newRole, "newRole");
    requireNonNull(newPurpose, "newPurpose");
    requireNonNull(unusualHour, "unusualHour");
    requireNonNull(attestationFailures, "attestationFailures");
    requireNonNull(delegationFanOut, "delegationFanOut");
  }

  /**
   * Flag when mints in the last minute exceed {@code max(factor × EWMA, floorPerMinute)}.
   *
   * @param factor how many times the moving average counts as a burst (> 1)
   * @param floorPerMinute never flag at or below this many mints a minute (> 0): small agents have tiny averages
   * @param halfLife how fast the average forgets (its per-minute weight halves over this span)
   * @param warmup no flags until the agent has been watched this long (the average needs history)
   */
  public record MintRate(double factor, double floorPerMinute, Duration halfLife, Duration warmup) {
    public static final MintRate DEFAULTS = new MintRate(4, 10, Duration.ofHours(1), Duration.ofHours(1));

    public MintRate {
      check(factor > 1, "mint_rate.factor: " + factor + " (expected: > 1)");
      check(floorPerMinute > 0, "mint_rate.floor_per_minute: " + floorPerMinute + " (expected: > 0)");
      positive(halfLife, "mint_rate.half_life");
      notNegative(warmup, "mint_rate.warmup");
    }
  }

  /**
   * First-seen learning: nothing is new until the agent was first seen {@code period} ago and made {@code minEvents}
   * allowed calls.
   */
  public record Learning(Duration period, int minEvents) {
    public static final Learning DEFAULTS = new Learning(Duration.ofHours(24), 5);

    public Learning {
      notNegative(period, "learning");
      check(minEvents >= 0, "learning_events: " + minEvents + " (expected: >= 0)");
    }
  }

  /**
   * Flag activity in an hour holding less than {@code minShare} of the agent's decayed hour-of-day histogram.
   *
   * @param minShare the share below which an hour counts as unusual (0 < share < 1)
   * @param halfLife how fast old activity fades from the histogram
   * @param warmup no flags until the agent has been watched this long
   * @param minEvents no flags until the histogram holds this many calls
   */
  public record Hours(double minShare, Duration halfLife, Duration warmup, int minEvents) {
    public static final Hours DEFAULTS = new Hours(0.02, Duration.ofDays(14), Duration.ofDays(7), 50);

    public Hours {
      check(minShare > 0 && minShare < 1, "unusual_hour.min_share: " + minShare + " (expected: > 0 and < 1)");
      positive(halfLife, "unusual_hour.half_life");
      notNegative(warmup, "unusual_hour.warmup");
      check(minEvents >= 1, "unusual_hour.min_events: " + minEvents + " (expected: >= 1)");
    }
  }

  /** Flag more than {@code threshold} failed attestations from one source within {@code window}. */
  public record Failures(int threshold, Duration window) {
    public static final Failures DEFAULTS = new Failures(5, Duration.ofMinutes(1));

    public Failures {
      check(threshold >= 1, "attestation_failures.threshold: " + threshold + " (expected: >= 1)");
      positive(window, "attestation_failures.window");
    }
  }

  /**
   * Flag a task whose grants exceed {@code max(factor × EWMA of grants per delegating task, floor)}, once the agent
   * has delegated from {@code warmupTasks} tasks.
   */
  public record FanOut(double factor, int floor, int warmupTasks) {
    public static final FanOut DEFAULTS = new FanOut(3, 5, 5);

    public FanOut {
      check(factor > 1, "delegation_fan_out.factor: " + factor + " (expected: > 1)");
      check(floor >= 1, "delegation_fan_out.floor: " + floor + " (expected: >= 1)");
      check(warmupTasks >= 0, "delegation_fan_out.warmup_tasks: " + warmupTasks + " (expected: >= 0)");
    }
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  private static void positive(Duration d, String name) {
    requireNonNull(d, name);
    check(!d.isNegative() && !d.isZero(), name + ": " + d + " (expected: > 0)");
  }

  private static void notNegative(Duration d, String name) {
    requireNonNull(d, name);
    check(!d.isNegative(), name + ": " + d + " (expected: >= 0)");
  }
}
