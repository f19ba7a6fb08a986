package dev.minter.tls;

import static java.util.Objects.requireNonNull;

import dev.minter.attest.SpiffeId;
import dev.minter.tls.LeafSpec.ExtendedKeyUse;
import dev.minter.tls.LeafSpec.KeyUse;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A development certificate authority (EC P-256) for one SPIFFE trust domain: issues SVIDs and TLS server
 * certificates for local runs and tests. Not for production — its key sits in a file next to its certificate.
 */
public final class DevCa {
  private static final SecureRandom RANDOM = new SecureRandom();
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
    return new DevCa(build(spec, null), trustDomain);
  }

  /** Loads a CA written by {@link #write}; its trust domain comes from its {@code spiffe://} URI SAN. */
  public static DevCa load(Path certPem, Path keyPem) throws IOException {
    X509Certificate cert = Pem.readCertificates(certPem).get(0);
    PrivateKey key = Pem.readPrivateKey(keyPem);
    if (cert.getBasicConstraints() < 0) {
      throw new PemException("certificate in " + certPem + " is not a CA certificate");
    }
    if (!keyMatches(cert, key)) {
      throw new PemException("private key in " + keyPem + " does not match the certificate in " + certPem);
    }
    String td = uriSans(cert).stream()
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
    return build(requireNonNull(spec, "spec"), spec.signer().orElse(ca));
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

  /** True when {@code key} is the private half of {@code cert}'s public key (proved by a signature). */
  static boolean keyMatches(X509Certificate cert, PrivateKey key) {
    try {
      byte[] probe = new byte[32];
      RANDOM.nextBytes(probe);
      String alg = signatureAlgorithm(key);
      Signature signer = Signature.getInstance(alg);
      signer.initSign(key);
      signer.update(probe);
      byte[] sig = signer.sign();
      Signature verifier = Signature.getInstance(alg);
      verifier.initVerify(cert.getPublicKey());
      verifier.update(probe);
      return verifier.verify(sig);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  static List<String> uriSans(X509Certificate cert) {
    List<String> out = new ArrayList<>();
    try {
      Collection<List<?>> sans = cert.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          if (Integer.valueOf(GeneralName.uniformResourceIdentifier).equals(san.get(0))) {
            out.add(String.valueOf(san.get(1)));
          }
        }
      }
    } catch (java.security.cert.CertificateParsingException e) {
      return List.of();
    }
    return out;
  }

  private static CertifiedKey build(LeafSpec spec, CertifiedKey issuer) {
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
      gen.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      KeyPair keys = gen.generateKeyPair();
      X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, spec.commonName()).build();
      boolean self = spec.selfSigned() || issuer == null;
      X500Name issuerName = self ? subject : X500Name.getInstance(
          issuer.certificate().getSubjectX500Principal().getEncoded());
      PublicKey issuerPublic = self ? keys.getPublic() : issuer.certificate().getPublicKey();
      PrivateKey signingKey = self ? keys.getPrivate() : issuer.privateKey();

      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuerName, new BigInteger(1, randomSerial()),
          Date.from(spec.notBefore()), Date.from(spec.notAfter()), subject, keys.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(spec.isCa()));
      b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
      b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(issuerPublic));
      if (!spec.keyUsages().isEmpty()) {
        b.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsageBits(spec)));
      }
      if (!spec.extendedKeyUsages().isEmpty()) {
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(spec.extendedKeyUsages().stream()
            .sorted()
            .map(e -> e == ExtendedKeyUse.SERVER_AUTH ? KeyPurposeId.id_kp_serverAuth : KeyPurposeId.id_kp_clientAuth)
            .toArray(KeyPurposeId[]::new)));
      }
      List<GeneralName> names = new ArrayList<>();
      spec.uriSans().forEach(u -> names.add(new GeneralName(GeneralName.uniformResourceIdentifier, u)));
      spec.dnsSans().forEach(d -> names.add(new GeneralName(GeneralName.dNSName, d)));
      spec.ipSans().forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
      if (!names.isEmpty()) {
        b.addExtension(Extension.subjectAlternativeName, false,
            new GeneralNames(names.toArray(GeneralName[]::new)));
      }
      X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
          b.build(new JcaContentSignerBuilder(signatureAlgorithm(signingKey)).build(signingKey)));
      return new CertifiedKey(cert, keys.getPrivate());
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException("issuing certificate '" + spec.commonName() + "' failed", e);
    }
  }

  private static int keyUsageBits(LeafSpec spec) {
    int bits = 0;
    for (KeyUse use : spec.keyUsages()) {
      bits |= switch (use) {
        case DIGITAL_SIGNATURE -> KeyUsage.digitalSignature;
        case KEY_ENCIPHERMENT -> KeyUsage.keyEncipherment;
        case KEY_AGREEMENT -> KeyUsage.keyAgreement;
        case KEY_CERT_SIGN -> KeyUsage.keyCertSign;
        case CRL_SIGN -> KeyUsage.cRLSign;
      };
    }
    return bits;
  }

  private static byte[] randomSerial() {
    byte[] serial = new byte[16];
    RANDOM.nextBytes(serial);
    return serial;
  }

  private static String signatureAlgorithm(PrivateKey key) {
    return switch (key.getAlgorithm()) {
      case "EC", "ECDSA" -> "SHA256withECDSA";
      case "RSA" -> "SHA256withRSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> throw new IllegalArgumentException("unsupported CA key algorithm " + key.getAlgorithm());
    };
  }
}
