package dev.minter.attest;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Single-use challenges Minter hands out (the {@code IssueNonce} call) for evidence that can be bound to one, such
 * as Azure's attested data document. A nonce is valid for a short time and can be consumed exactly once.
 */
public final class NonceStore {
  /** How long an issued nonce stays usable. */
  public static final Duration LIFETIME = Duration.ofMinutes(5);

  private static final SecureRandom RANDOM = new SecureRandom();
  private final Map<String, Instant> issued = new ConcurrentHashMap<>();
  private final Clock clock;
  private final int capacity;

  public NonceStore(Clock clock, int capacity) {
    this.clock = clock;
    this.capacity = capacity;
  }

  /** A fresh nonce (32 hex characters, 128 bits), or empty when too many are outstanding. */
  public java.util.Optional<Issued> issue() {
    Instant now = clock.instant();
    if (issued.size() >= capacity) {
      issued.values().removeIf(expiry -> !expiry.isAfter(now));
      if (issued.size() >= capacity) {
        return java.util.Optional.empty();
      }
    }
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    String nonce = HexFormat.of().formatHex(bytes);
    Instant expiresAt = now.plus(LIFETIME);
    issued.put(nonce, expiresAt);
    return java.util.Optional.of(new Issued(nonce, expiresAt));
  }

  /** True exactly once for a nonce this store issued and that has not expired. */
  public boolean consume(String nonce) {
    Instant expiry = issued.remove(nonce);
    return expiry != null && expiry.isAfter(clock.instant());
  }

  /** An issued nonce and when it stops being accepted. */
  public record Issued(String nonce, Instant expiresAt) {}
}
