package dev.minter.attest.jwt;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * What a JWT must satisfy beyond a good signature.
 *
 * @param issuers accepted {@code iss} values; empty accepts any issuer (only for kinds whose trust comes from the key,
 *     e.g. JWT-SVIDs, where the key is already bound to one trust domain)
 * @param audience the value {@code aud} must contain
 * @param maxLifetime the longest {@code exp - iat} accepted, if any (short-lived tokens only)
 * @param requireIat whether {@code iat} must be present
 */
public record JwtRules(Set<String> issuers, String audience, Optional<Duration> maxLifetime, boolean requireIat) {
  public JwtRules {
    issuers = Set.copyOf(requireNonNull(issuers, "issuers"));
    requireNonNull(audience, "audience");
    if (audience.isBlank()) {
      throw new IllegalArgumentException("audience: empty (expected: the audience Minter is known by)");
    }
    requireNonNull(maxLifetime, "maxLifetime");
  }
}
