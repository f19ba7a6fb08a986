package dev.minter.attest;

import java.time.Clock;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link ReplayGuard} held in memory, bounded in size. Expired entries are dropped as new ones arrive. When it is
 * full of unexpired entries it refuses new evidence (fails closed) rather than forgetting what it has seen: an
 * attacker who could flush the cache could replay.
 */
public final class InMemoryReplayGuard implements ReplayGuard {
  private final Map<String, Instant> seen = new ConcurrentHashMap<>();
  private final Clock clock;
  private final int capacity;

  public InMemoryReplayGuard(Clock clock, int capacity) {
    this.clock = clock;
    this.capacity = capacity;
  }

  @Override
  public boolean firstUse(String kind, String key, Instant expiresAt) {
    Instant now = clock.instant();
    if (seen.size() >= capacity) {
      purge(now);
      if (seen.size() >= capacity) {
        return false;
      }
    }
    String k = kind + "\n" + key;
    Instant previous = seen.putIfAbsent(k, expiresAt);
    if (previous == null) {
      return true;
    }
    // An entry whose evidence has expired may be reused as a key (the evidence itself is no longer valid).
    return !previous.isAfter(now) && seen.replace(k, previous, expiresAt);
  }

  private void purge(Instant now) {
    for (Iterator<Instant> it = seen.values().iterator(); it.hasNext(); ) {
      if (!it.next().isAfter(now)) {
        it.remove();
      }
    }
  }

  int size() {
    return seen.size();
  }
}
