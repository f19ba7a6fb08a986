package dev.minter.attest.jwt;

import com.nimbusds.jose.jwk.JWK;
import java.util.Optional;

/**
 * Where JWT verification keys come from (a JWKS file or URL, OIDC discovery, a SPIFFE JWT bundle). One method, so
 * rotation and refresh are the source's business. Implementations must bound refetching on an unknown {@code kid}:
 * a forged token must not be able to make Minter fetch on every call.
 */
@FunctionalInterface
public interface JwkSource {

  /** The key with id {@code kid}, if this source trusts one. */
  Optional<JWK> find(String kid);
}
