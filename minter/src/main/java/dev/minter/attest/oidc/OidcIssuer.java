package dev.minter.attest.oidc;

import static java.util.Objects.requireNonNull;

import dev.minter.attest.jwt.JwkSource;
import dev.minter.attest.jwt.JwtRules;
import java.util.Optional;
import java.util.Set;

/**
 * A configured issuer together with the keys that verify its tokens.
 *
 * @param config what the issuer's tokens must satisfy and how they map to identities
 * @param keys the issuer's verification keys (from {@link KeySources} or a refreshing bundle source)
 */
public record OidcIssuer(IssuerConfig config, JwkSource keys) {
  public OidcIssuer {
    requireNonNull(config, "config");
    requireNonNull(keys, "keys");
  }

  /** Signature, algorithm and time rules for this issuer's tokens; {@code iat} is required so the lifetime cap holds. */
  public JwtRules rules() {
    return new JwtRules(Set.of(config.issuer()), config.audience(), Optional.of(config.maxLifetime()), true);
  }
}
