package dev.minter.attest.bundle;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How a fetched trust source (bundle endpoint, JWKS URL) refreshes.
 *
 * @param minInterval no two fetches start closer together than this, whatever the publisher's hint or a flood of
 *     unknown key ids asks for; also the retry delay after a failed fetch
 * @param defaultInterval refresh interval when the publisher gives no hint ({@code spiffe_refresh_hint},
 *     {@code Cache-Control: max-age}); the SPIFFE spec suggests about five minutes
 * @param maxInterval upper bound on a publisher's hint, so a key removal is seen within this time
 * @param requestTimeout bound on one HTTP request (connect plus response headers)
 * @param waitOnMiss how long a verification may wait for a fetch it triggered (first use, unknown key id) before it
 *     goes on with what is cached; verifications never wait longer than this on the network
 */
public record RefreshOptions(
    Duration minInterval, Duration defaultInterval, Duration maxInterval, Duration requestTimeout, Duration waitOnMiss) {
  public RefreshOptions {
    requireNonNull(minInterval, "minInterval");
    requireNonNull(defaultInterval, "defaultInterval");
    requireNonNull(maxInterval, "maxInterval");
    requireNonNull(requestTimeout, "requestTimeout");
    requireNonNull(waitOnMiss, "waitOnMiss");
    if (minInterval.isNegative() || minInterval.isZero()) {
      throw new IllegalArgumentException("minInterval: " + minInterval + " (expected: > 0)");
    }
    if (defaultInterval.compareTo(minInterval) < 0 || maxInterval.compareTo(defaultInterval) < 0) {
      throw new IllegalArgumentException("refresh intervals: min " + minInterval + ", default " + defaultInterval
          + ", max " + maxInterval + " (expected: min <= default <= max)");
    }
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("requestTimeout: " + requestTimeout + " (expected: > 0)");
    }
    if (waitOnMiss.isNegative()) {
      throw new IllegalArgumentException("waitOnMiss: " + waitOnMiss + " (expected: >= 0)");
    }
  }

  /** 30 s minimum, 5 min default, 1 h maximum, 5 s request timeout, 500 ms wait on a miss. */
  public static RefreshOptions defaults() {
    return new RefreshOptions(Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofHours(1),
        Duration.ofSeconds(5), Duration.ofMillis(500));
  }

  /** The refresh interval for a publisher's {@code hint}: the default without one, else the hint within bounds. */
  public Duration intervalFor(java.util.Optional<Duration> hint) {
    Duration d = hint.orElse(defaultInterval);
    return d.compareTo(minInterval) < 0 ? minInterval : d.compareTo(maxInterval) > 0 ? maxInterval : d;
  }
}
