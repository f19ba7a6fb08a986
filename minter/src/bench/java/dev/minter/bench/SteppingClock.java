package dev.minter.bench;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A deterministic clock that a benchmark moves on by a fixed step per event: the detector's minute buckets, EWMA
 * decay and hour histogram then do the arithmetic of a steady agent, which a frozen clock would skip. Single-threaded.
 */
final class SteppingClock extends Clock {
  private final long stepNanos;
  private Instant now;

  SteppingClock(Instant start, Duration step) {
    this.now = start;
    this.stepNanos = step.toNanos();
  }

  void step() {
    now = now.plusNanos(stepNanos);
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException();
  }
}
