package dev.minter.attest;

import java.time.Clock;

/** Verifies SPIFFE X.509-SVIDs presented as the TLS client certificate. (Skeleton: being built.) */
public final class X509SvidAttestor implements Attestor {
  public static final String KIND = "x509_svid";

  private final X509BundleSource bundles;
  private final Clock clock;

  public X509SvidAttestor(X509BundleSource bundles, Clock clock) {
    this.bundles = bundles;
    this.clock = clock;
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public AttestationResult attest(Evidence evidence) {
    throw new UnsupportedOperationException("not built yet");
  }
}
