package dev.minter.attest.jwt;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import java.util.Optional;

/** A fixed set of keys (tests, and sources that refresh by replacing the whole instance). */
public record FixedJwkSource(JWKSet keys) implements JwkSource {
  @Override
  public Optional<JWK> find(String kid) {
    return Optional.ofNullable(keys.getKeyByKeyId(kid));
  }
}
