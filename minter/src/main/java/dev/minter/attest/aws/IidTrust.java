package dev.minter.attest.aws;

import dev.minter.tls.Pem;
import java.io.IOException;
import java.nio.file.Path;
import java.security.interfaces.RSAPublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.SignerInformationVerifier;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.operator.OperatorCreationException;

/**
 * The AWS certificates instance identity signatures must come from, per region. These are the only certificates
 * ever used to verify: certificates a PKCS#7 carries are ignored, since anyone can put any certificate there.
 */
public final class IidTrust {
  private final Map<String, X509Certificate> byRegion;
  private final Optional<X509Certificate> fallback;
  private final Map<X509Certificate, Signer> signers = new LinkedHashMap<>();

  /**
   * A configured certificate ready to verify with: its Bouncy Castle form (to match a SignerInfo's signer id) and a
   * verifier built once (building one per call costs more than the RSA verification; it is stateless and shared).
   */
  record Signer(X509Certificate certificate, X509CertificateHolder holder, SignerInformationVerifier verifier) {}

  public IidTrust(Map<String, X509Certificate> byRegion, Optional<X509Certificate> fallback) {
    this.byRegion = Map.copyOf(byRegion);
    this.fallback = fallback;
    List<X509Certificate> all = new ArrayList<>(byRegion.values());
    fallback.ifPresent(all::add);
    try {
      for (X509Certificate cert : all) {
        if (!signers.containsKey(cert)) {
          signers.put(cert, new Signer(cert, new X509CertificateHolder(cert.getEncoded()),
              new JcaSimpleSignerInfoVerifierBuilder().build(cert)));
        }
      }
    } catch (IOException | CertificateEncodingException | OperatorCreationException e) {
      throw new IllegalArgumentException("certificates: cannot use a configured certificate: " + e.getMessage(), e);
    }
  }

  /** Loads the certificates {@code config} names; throws {@link IllegalArgumentException} naming the bad file. */
  public static IidTrust load(AwsIidConfig config) {
    Map<String, X509Certificate> byRegion = new LinkedHashMap<>();
    for (Map.Entry<String, Path> entry : config.certificates().entrySet()) {
      byRegion.put(entry.getKey(), read("certificates." + entry.getKey(), entry.getValue()));
    }
    Optional<X509Certificate> fallback =
        config.defaultCertificate() == null
            ? Optional.empty()
            : Optional.of(read("default_certificate", config.defaultCertificate()));
    return new IidTrust(byRegion, fallback);
  }

  /** The certificate that must have signed documents of {@code region}, if the region has one. */
  public Optional<X509Certificate> forRegion(String region) {
    X509Certificate cert = byRegion.get(region);
    return cert != null ? Optional.of(cert) : fallback;
  }

  /** Every distinct configured certificate. */
  Collection<Signer> signers() {
    return signers.values();
  }

  private static X509Certificate read(String setting, Path file) {
    List<X509Certificate> certs;
    try {
      certs = Pem.readCertificates(file);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(setting + ": cannot read " + file + ": " + e.getMessage(), e);
    }
    if (certs.size() != 1) {
      throw new IllegalArgumentException(
          setting + ": " + file + " holds " + certs.size() + " certificates (expected: exactly 1)");
    }
    X509Certificate cert = certs.getFirst();
    // AWS's instance identity certificates are RSA; anything else is a configuration mistake.
    if (!(cert.getPublicKey() instanceof RSAPublicKey rsa) || rsa.getModulus().bitLength() < 2048) {
      throw new IllegalArgumentException(setting + ": " + file + " is not an RSA-2048 (or larger) certificate");
    }
    return cert;
  }
}
