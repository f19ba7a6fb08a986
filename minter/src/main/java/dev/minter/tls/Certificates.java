package dev.minter.tls;

import dev.minter.tls.LeafSpec.ExtendedKeyUse;
import dev.minter.tls.LeafSpec.KeyUse;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
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

/** Certificate mechanics behind {@link DevCa}: key generation, X.509 v3 building with Bouncy Castle, key checks. */
final class Certificates {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Certificates() {}

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

  /** Issues {@code spec} with a fresh P-256 key; {@code issuer} null (or {@code spec.selfSigned()}) self-signs. */
  static CertifiedKey build(LeafSpec spec, CertifiedKey issuer) {
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
