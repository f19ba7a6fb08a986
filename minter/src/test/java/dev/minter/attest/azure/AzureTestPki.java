package dev.minter.attest.azure;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Test certificates shaped like Azure's IMDS chain (RSA root → RSA issuing CA → RSA {@code metadata.azure.com}
 * leaf), generated at runtime. Permissive on purpose, so tests can build every bad certificate a verifier must refuse.
 */
public final class AzureTestPki {
  private static final SecureRandom RANDOM = new SecureRandom();

  private AzureTestPki() {}

  /** A certificate and the key pair it certifies. */
  public record Issued(X509Certificate certificate, KeyPair keys) {
    public Issued {
      requireNonNull(certificate, "certificate");
      requireNonNull(keys, "keys");
    }

    public PrivateKey privateKey() {
      return keys.getPrivate();
    }

    @Override
    public String toString() {
      return "Issued[" + certificate.getSubjectX500Principal().getName() + "]";
    }
  }

  /** Azure's shape: root, issuing CA, signer; valid from {@code notBefore} to {@code notAfter}. */
  public record Chain(Issued root, Issued intermediate, Issued signer) {
    public static Chain create(Instant notBefore, Instant notAfter) {
      Issued root = cert("CN=Test Azure Root G2, O=Minter Test, C=US", rsa()).validity(notBefore, notAfter).ca(-1)
          .build();
      Issued intermediate = cert("CN=Test Azure RSA TLS Issuing CA 03, O=Minter Test, C=US", rsa())
          .validity(notBefore, notAfter).ca(0).issuer(root).build();
      Issued signer = cert("CN=metadata.azure.com, O=Minter Test, C=US", rsa()).validity(notBefore, notAfter)
          .dns("metadata.azure.com").issuer(intermediate).build();
      return new Chain(root, intermediate, signer);
    }
  }

  public static KeyPair rsa() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048, RANDOM);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public static KeyPair ec() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * {@code cert}'s subject in a form {@link #cert(String, KeyPair)} reproduces exactly (X500Principal#getName prints
   * the RDNs in reverse, which would make a different name).
   */
  public static String subjectOf(Issued cert) {
    return X500Name.getInstance(cert.certificate().getSubjectX500Principal().getEncoded()).toString();
  }

  /** Starts a certificate for {@code subject}; self-signed, a digitalSignature leaf, valid 2020–2040 by default. */
  public static Builder cert(String subject, KeyPair keys) {
    return new Builder(subject, keys);
  }

  /** Mutable certificate builder. */
  public static final class Builder {
    private final String subject;
    private final KeyPair keys;
    private Issued issuer;
    private Instant notBefore = Instant.parse("2020-01-01T00:00:00Z");
    private Instant notAfter = Instant.parse("2040-01-01T00:00:00Z");
    private Integer pathLen;
    private boolean ca;
    private int keyUsage = KeyUsage.digitalSignature | KeyUsage.keyEncipherment;
    private final List<String> dns = new ArrayList<>();

    private Builder(String subject, KeyPair keys) {
      this.subject = subject;
      this.keys = keys;
    }

    public Builder issuer(Issued value) {
      this.issuer = value;
      return this;
    }

    public Builder validity(Instant from, Instant to) {
      this.notBefore = from;
      this.notAfter = to;
      return this;
    }

    /** A CA with keyCertSign; {@code pathLength} < 0 means unconstrained. */
    public Builder ca(int pathLength) {
      this.ca = true;
      this.pathLen = pathLength < 0 ? null : pathLength;
      this.keyUsage = KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature;
      return this;
    }

    /** Replaces the keyUsage bits (see {@link KeyUsage}); 0 omits the extension. */
    public Builder keyUsage(int bits) {
      this.keyUsage = bits;
      return this;
    }

    public Builder dns(String... names) {
      dns.addAll(List.of(names));
      return this;
    }

    public Issued build() {
      try {
        X500Name issuerName = issuer == null ? new X500Name(subject)
            : X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded());
        PrivateKey signingKey = issuer == null ? keys.getPrivate() : issuer.privateKey();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
            issuerName, new BigInteger(64, RANDOM).abs().add(BigInteger.ONE), Date.from(notBefore), Date.from(notAfter),
            new X500Name(subject), keys.getPublic());
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
        if (issuer != null) {
          b.addExtension(Extension.authorityKeyIdentifier, false,
              ext.createAuthorityKeyIdentifier(issuer.certificate()));
        }
        if (ca) {
          b.addExtension(Extension.basicConstraints, true,
              pathLen == null ? new BasicConstraints(true) : new BasicConstraints(pathLen));
        }
        if (keyUsage != 0) {
          b.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage));
        }
        if (!dns.isEmpty()) {
          b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(
              dns.stream().map(d -> new GeneralName(GeneralName.dNSName, d)).toArray(GeneralName[]::new)));
        }
        String algorithm = signingKey.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        X509Certificate cert = new JcaX509CertificateConverter()
            .getCertificate(b.build(new JcaContentSignerBuilder(algorithm).build(signingKey)));
        return new Issued(cert, keys);
      } catch (Exception e) {
        throw new IllegalStateException("test certificate for " + subject + " could not be built", e);
      }
    }
  }
}
