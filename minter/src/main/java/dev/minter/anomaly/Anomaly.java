package dev.minter.anomaly;

import static java.util.Objects.requireNonNull;

import dev.minter.policy.AnomalySettings;

/**
 * One deviation from an agent's own baseline, explained in words a person can check.
 *
 * @param kind one of {@link AnomalySettings#KINDS}, e.g. {@code mint_rate}
 * @param identity the agent's identity URI (for {@code attestation_failures}: the failing source, see
 *     {@link AnomalyDetector#attestationFailed})
 * @param baseline what is normal for it, e.g. {@code ewma 2.1 mints/min, threshold 10.0 (max(4 × ewma, floor 10))}
 * @param observation what happened, e.g. {@code 14 mints in the last minute}
 */
public record Anomaly(String kind, String identity, String baseline, String observation) {
  public Anomaly {
    requireNonNull(kind, "kind");
    if (!AnomalySettings.KINDS.contains(kind)) {
      throw new IllegalArgumentException("kind: " + kind + " (expected one of " + AnomalySettings.KINDS + ")");
    }
    requireNonNull(identity, "identity");
    requireNonNull(baseline, "baseline");
    requireNonNull(observation, "observation");
  }

  /** One line for logs and denial reasons. */
  public String describe() {
    return kind + ": " + observation + " (baseline: " + baseline + ")";
  }
}
