package dev.minter.policy;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Map;

/**
 * Everything the policy reads about one action beyond the request itself; gathered by the task code before it asks
 * (the engine stays pure: no I/O at decision time).
 *
 * @param now the instant of the action ({@code time.*} in conditions)
 * @param labels the task's labels ({@code request.labels})
 * @param agent the inventory's record of the caller ({@code agent.*})
 * @param delegation who delegated to the caller ({@code delegation.*})
 * @param posture signals from the posture source ({@code posture.*}); values are String, Boolean, Long, Double,
 *     List or Map. Empty when no source is configured. A source that failed yields its fail-closed default.
 */
public record PolicyContext(
    Instant now,
    Map<String, String> labels,
    AgentView agent,
    DelegationView delegation,
    Map<String, Object> posture) {
  public PolicyContext {
    requireNonNull(now, "now");
    labels = Map.copyOf(requireNonNull(labels, "labels"));
    requireNonNull(agent, "agent");
    requireNonNull(delegation, "delegation");
    posture = Map.copyOf(requireNonNull(posture, "posture"));
  }

  /** A context with nothing known but the time: no labels, an unknown agent, no delegation, no posture. */
  public static PolicyContext at(Instant now) {
    return new PolicyContext(now, Map.of(), AgentView.UNKNOWN, DelegationView.NONE, Map.of());
  }
}
