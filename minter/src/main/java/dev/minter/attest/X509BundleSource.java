package dev.minter.attest;

import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.Set;

/** Where trusted X.509 roots come from, per SPIFFE trust domain. One method, so rotation is the source's job. */
@FunctionalInterface
public interface X509BundleSource {

  /** The X.509 authorities of {@code trustDomain}, or empty when Minter does not trust that domain. */
  Optional<Set<X509Certificate>> bundleFor(String trustDomain);
}
