package dev.minter.tls;

import static java.util.Objects.requireNonNull;

import dev.minter.attest.SpiffeId;
import dev.minter.tls.LeafSpec.KeyUse;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * A development certificate authority (EC P-256) for one SPIFFE trust domain: issues SVIDs and TLS server
 * certificates for local runs and tests. Not for production — its key sits in a file next to its certificate.
 */
public final class DevCa {
  /** Backdating absorbs small clock differences between the issuer and a verifier. */
  static final Duration BACKDATE = Duration.ofMinutes(1);

  private final CertifiedKey ca;
  private final String trustDomain;

  private DevCa(CertifiedKey ca, String trustDomain) {
    this.ca = ca;
    this.trustDomain = trustDomain;
  }

  /** A new self-signed CA for {@code trustDomain}, valid from now (less one minute) for {@code validity}. */
  public static DevCa create(String trustDomain, Duration validity, Clock clock) {
    if (!SpiffeId.isValidTrustDomain(trustDomain)) {
      throw new IllegalArgumentException("trustDomain: not a valid SPIFFE trust domain");
    }
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    LeafSpec spec = LeafSpec.builder(now.minus(BACKDATE), now.plus(validity))
        .commonName(trustDomain + " Minter dev CA")
        .uri("spiffe://" + trustDomain)
        .ca(true)
        .keyUsages(KeyUse.KEY_CERT_SIGN, KeyUse.CRL_SIGN, KeyUse.DIGITAL_SIGNATURE)
        .extendedKeyUsages()
        .selfSigned()
        .build();
    return new DevCa(Certificates.build(spec, null), trustDomain);
  }

  /** Loads a CA written by {@link #write}; its trust domain comes from its {@code spiffe://} URI SAN. */
  public static DevCa load(Path certPem, Path keyPem) throws IOException {
    X509Certificate cert = Pem.readCertificates(certPem).get(0);
    PrivateKey key = Pem.readPrivateKey(keyPem);
    if (cert.getBasicConstraints() < 0) {
      throw new PemException("certificate in " + certPem + " is not a CA certificate");
    }
    if (!Certificates.keyMatches(cert, key)) {
      throw new PemException("private key in " + keyPem + " does not match the certificate in " + certPem);
    }
    String td = Certificates.uriSans(cert).stream()
        .filter(u -> u.startsWith("spiffe://"))
        .map(u -> SpiffeId.parse(u).trustDomain())
        .findFirst()
        .orElseThrow(() -> new PemException("CA certificate in " + certPem + " has no spiffe:// URI SAN"));
    return new DevCa(new CertifiedKey(cert, key), td);
  }

  /** Ensures {@code dir} holds a CA, a server certificate and one client SVID per entry; see {@link DevSet}. */
  public static DevSet writeDevSet(Path dir, String trustDomain, Map<String, String> leafNameToSpiffeId, Clock clock)
      throws IOException {
    return DevSetWriter.write(dir, trustDomain, leafNameToSpiffeId, clock);
  }

  public String trustDomain() {
    return trustDomain;
  }

  public X509Certificate certificate() {
    return ca.certificate();
  }

  /** This CA's certificate and key, to pass to {@link LeafSpec.Builder#signedBy}. */
  public CertifiedKey asIssuer() {
    return ca;
  }

  /** Issues a certificate with a fresh P-256 key, signed by this CA unless {@code spec} names another signer. */
  public CertifiedKey issue(LeafSpec spec) {
    return Certificates.build(requireNonNull(spec, "spec"), spec.signer().orElse(ca));
  }

  /** Issues an intermediate CA (keyCertSign, cRLSign, URI SAN {@code spiffe://<td>}) signed by this CA. */
  public CertifiedKey issueIntermediate(String commonName, Instant notBefore, Instant notAfter) {
    return issueIntermediate(commonName, notBefore, notAfter, ca);
  }

  /** Issues an intermediate CA signed by {@code parent} (this CA or another intermediate). */
  public CertifiedKey issueIntermediate(String commonName, Instant notBefore, Instant notAfter, CertifiedKey parent) {
    return issue(LeafSpec.builder(notBefore, notAfter)
        .commonName(commonName)
        .uri("spiffe://" + trustDomain)
        .ca(true)
        .keyUsages(KeyUse.KEY_CERT_SIGN, KeyUse.CRL_SIGN, KeyUse.DIGITAL_SIGNATURE)
        .extendedKeyUsages()
        .signedBy(parent)
        .build());
  }

  /** Writes the CA certificate (0644) and key (0600). */
  public void write(Path certPem, Path keyPem) throws IOException {
    Pem.writePrivateKey(keyPem, ca.privateKey());
    Pem.writeCertificates(certPem, List.of(ca.certificate()));
  }

  @Override
  public String toString() {
    return "DevCa[trustDomain=" + trustDomain + ", " + ca + "]";
  }
}
