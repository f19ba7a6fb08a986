package dev.minter.attest;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link TofuPins} held in memory: for tests, and for a single server until the ledger-backed store is wired in.
 * Forgets every pin on restart, which reopens the window for a stale document, so production uses the ledger.
 * Only evidence that already verified (signed by the provider, from an allowed account) reaches a pin, so the map
 * grows with real instances, not with what attackers send.
 */
public final class InMemoryTofuPins implements TofuPins {
  private record Pin(long generation, String fingerprint) {}

  private final Map<String, Pin> pins = new ConcurrentHashMap<>();

  @Override
  public Outcome pin(String kind, String subject, long generation, String fingerprint) {
    Outcome[] outcome = new Outcome[1];
    // compute() runs atomically per key: racing first uses of one subject are ordered.
    pins.compute(kind + "\n" + subject, (key, current) -> {
      outcome[0] = current == null
          ? TofuPins.compare(null, null, generation, fingerprint)
          : TofuPins.compare(current.generation(), current.fingerprint(), generation, fingerprint);
      return outcome[0] == Outcome.FIRST || outcome[0] == Outcome.ADVANCED ? new Pin(generation, fingerprint) : current;
    });
    return outcome[0];
  }
}
