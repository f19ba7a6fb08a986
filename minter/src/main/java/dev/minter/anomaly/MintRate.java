package dev.minter.anomaly;

import dev.minter.policy.AnomalySettings;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * One agent's mint rate: a bias-corrected EWMA of mints per completed minute, and the last minute's count estimated
 * from two one-minute buckets (the current one, plus the previous one weighted by how much of it is still inside the
 * last 60 seconds). Constant memory; not thread-safe (the detector serializes access).
 */
final class MintRate {
  private static final Duration EPISODE = Duration.ofMinutes(1);

  private Instant since; // first mint watched: the warm-up runs from here
  private long minute = Long.MIN_VALUE;
  private int current;
  private int previous;
  private double average; // EWMA numerator
  private double weight; // EWMA weight so far, for bias correction (a young average is not pulled to zero)
  private Instant quietUntil = Instant.MIN;

  Optional<Anomaly> check(String identity, Instant now, AnomalySettings.MintRate s) {
    roll(now, s);
    if (since == null || now.isBefore(since.plus(s.warmup())) || now.isBefore(quietUntil)) {
      return Optional.empty();
    }
    double ewma = ewma();
    double threshold = Math.max(s.factor() * ewma, s.floorPerMinute());
    long observed = Math.round(lastMinute(now)) + 1; // this call included
    if (observed <= threshold) {
      return Optional.empty();
    }
    return Optional.of(
        new Anomaly(
            AnomalySettings.MINT_RATE,
            identity,
            String.format(
                Locale.ROOT,
                "ewma %.1f mints/min (half-life %s); threshold %.1f = max(%s × ewma, floor %s)",
                ewma, s.halfLife(), threshold, trim(s.factor()), trim(s.floorPerMinute())),
            observed + " mints in the last minute"));
  }

  void learn(Instant now, AnomalySettings.MintRate s) {
    roll(now, s);
    if (since == null) {
      since = now;
    }
    current++;
  }

  void raised(Instant now) {
    quietUntil = now.plus(EPISODE); // one burst, one alert
  }

  private void roll(Instant now, AnomalySettings.MintRate s) {
    long m = Math.floorDiv(now.getEpochSecond(), 60);
    if (minute == Long.MIN_VALUE) {
      minute = m;
      return;
    }
    if (m <= minute) {
      return;
    }
    double d = Math.pow(0.5, 60.0 / Math.max(1, s.halfLife().toSeconds())); // per-minute decay
    average = d * average + (1 - d) * current;
    weight = d * weight + (1 - d);
    long empty = m - minute - 1;
    if (empty > 0) {
      double f = Math.pow(d, empty);
      average *= f;
      weight = f * weight + (1 - f);
    }
    previous = empty == 0 ? current : 0;
    current = 0;
    minute = m;
  }

  private double ewma() {
    return weight == 0 ? 0 : average / weight;
  }

  private double lastMinute(Instant now) {
    double intoMinute = Math.floorMod(now.getEpochSecond(), 60) / 60.0;
    return current + previous * (1 - intoMinute);
  }

  static String trim(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.2f", v);
  }
}
