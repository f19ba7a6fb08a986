package dev.minter.tls;

import static java.util.Objects.requireNonNull;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/**
 * A certificate and its private key, as issued by {@link DevCa}. Also what signs further certificates when it is
 * a CA ({@link LeafSpec.Builder#signedBy}).
 */
public record CertifiedKey(X509Certificate certificate, PrivateKey privateKey) {
  public CertifiedKey {
    requireNonNull(certificate, "certificate");
    requireNonNull(privateKey, "privateKey");
  }

  @Override
  public String toString() {
    // The private key never reaches a log line.
    return "CertifiedKey[subject=" + certificate.getSubjectX500Principal().getName()
        + ", serial=" + certificate.getSerialNumber().toString(16) + ", privateKey=[redacted]]";
  }
}
