package dev.minter.anomaly;

import dev.minter.policy.AnomalySettings;
import java.time.Instant;
import java.util.Optional;

/**
 * Failed attestations from one source: two buckets of the configured window (the current one, plus the previous
 * one weighted by how much of it still falls inside the window). Constant memory.
 */
final class FailureWindow {
  private long bucket = Long.MIN_VALUE;
  private int current;
  private int previous;
  private Instant quietUntil = Instant.MIN;

  /** Counts one failure at {@code now}; an anomaly if the window now holds more than the threshold. */
  Optional<Anomaly> fail(String source, String latest, Instant now, AnomalySettings.Failures s) {
    long size = s.window().toMillis();
    long b = Math.floorDiv(now.toEpochMilli(), size);
    if (b != bucket) {
      previous = b == bucket + 1 ? current : 0;
      current = 0;
      bucket = b;
    }
    current++;
    double into = (double) Math.floorMod(now.toEpochMilli(), size) / size;
    long observed = Math.round(current + previous * (1 - into));
    if (observed <= s.threshold() || now.isBefore(quietUntil)) {
      return Optional.empty();
    }
    quietUntil = now.plus(s.window()); // one alert per burst; every failure is still in attest.reject
    return Optional.of(
        new Anomaly(
            AnomalySettings.ATTESTATION_FAILURES,
            source,
            "at most " + s.threshold() + " failed attestations per " + s.window(),
            observed + " failed attestations in the last " + s.window() + " (latest: " + latest + ")"));
  }
}
