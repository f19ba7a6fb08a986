package dev.minter.anomaly;

import dev.minter.policy.AnomalySettings;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One agent's hours of activity: 24 exponentially decayed counts by UTC hour of day. Constant memory; not
 * thread-safe (the detector serializes access).
 */
final class HourHistogram {
  private final double[] weights = new double[24];
  private Instant updated;
  private Instant since;
  private long events;
  private long quietHour = Long.MIN_VALUE; // the epoch hour already alerted

  Optional<Anomaly> check(String identity, Instant now, AnomalySettings.Hours s) {
    if (since == null || now.isBefore(since.plus(s.warmup())) || events < s.minEvents()) {
      return Optional.empty();
    }
    decay(now, s.halfLife());
    double total = 0;
    for (double w : weights) {
      total += w;
    }
    int hour = now.atOffset(ZoneOffset.UTC).getHour();
    double share = total == 0 ? 0 : weights[hour] / total;
    if (share >= s.minShare() || epochHour(now) == quietHour) {
      return Optional.empty();
    }
    return Optional.of(
        new Anomaly(
            AnomalySettings.UNUSUAL_HOUR,
            identity,
            String.format(
                Locale.ROOT,
                "%.1f%% of its recent activity falls in hour %02d UTC (threshold %.1f%%); usual hours UTC: %s",
                share * 100, hour, s.minShare() * 100, usualHours(total, s.minShare())),
            String.format(Locale.ROOT, "activity at %tR UTC", now.atOffset(ZoneOffset.UTC))));
  }

  void learn(Instant now, AnomalySettings.Hours s) {
    decay(now, s.halfLife());
    if (since == null) {
      since = now;
    }
    weights[now.atOffset(ZoneOffset.UTC).getHour()] += 1;
    events++;
  }

  void raised(Instant now) {
    quietHour = epochHour(now); // one alert per unusual clock hour
  }

  private void decay(Instant now, Duration halfLife) {
    if (updated != null && now.isAfter(updated)) {
      double f = Math.pow(0.5, (double) Duration.between(updated, now).toMillis() / halfLife.toMillis());
      for (int h = 0; h < 24; h++) {
        weights[h] *= f;
      }
    }
    if (updated == null || now.isAfter(updated)) {
      updated = now;
    }
  }

  private String usualHours(double total, double minShare) {
    List<String> runs = new ArrayList<>();
    int start = -1;
    for (int h = 0; h <= 24; h++) {
      boolean usual = h < 24 && total > 0 && weights[h] / total >= minShare;
      if (usual && start < 0) {
        start = h;
      } else if (!usual && start >= 0) {
        runs.add(start == h - 1 ? "%02d".formatted(start) : "%02d-%02d".formatted(start, h - 1));
        start = -1;
      }
    }
    return runs.isEmpty() ? "none" : String.join(", ", runs);
  }

  private static long epochHour(Instant now) {
    return Math.floorDiv(now.getEpochSecond(), 3600);
  }
}
