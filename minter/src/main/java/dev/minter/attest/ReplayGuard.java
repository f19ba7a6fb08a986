package dev.minter.attest;

import java.time.Instant;

/**
 * The one replay defence every attestor uses: a piece of evidence (a token's {@code jti} or hash, a document's
 * hash, a nonce) may be used once until it expires. Shared code, so no attestor has its own notion of "seen".
 */
public interface ReplayGuard {

  /**
   * Records the first use of {@code key} for {@code kind}; true the first time, false for every later use until
   * {@code expiresAt}. Callers must pass a key that identifies the evidence itself (not the caller).
   */
  boolean firstUse(String kind, String key, Instant expiresAt);
}
