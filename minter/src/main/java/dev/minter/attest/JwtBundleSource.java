package dev.minter.attest;

import dev.minter.attest.jwt.JwkSource;
import java.util.Optional;

/** Where trusted JWT-SVID keys come from, per SPIFFE trust domain (file, bundle endpoint, Workload API). */
@FunctionalInterface
public interface JwtBundleSource {

  /** The JWT authorities of {@code trustDomain}, or empty when Minter does not trust that domain for JWT-SVIDs. */
  Optional<JwkSource> jwtBundleFor(String trustDomain);
}
