package dev.minter.attest.azure;

import dev.minter.attest.Reasons;

import java.io.IOException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Set;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.cms.SignedData;
import org.bouncycastle.asn1.cms.SignerInfo;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSTypedData;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.operator.OperatorCreationException;

/**
 * Opens the PKCS#7 SignedData of an Azure attested document and checks its one signature. Strict where Azure is
 * consistent (DER with nothing after it, attached {@code id-data} content, exactly one SignerInfo whose certificate is
 * in the document, SHA-2 digests) and tolerant in the one place Azure is odd: its SignerInfo names
 * {@code sha256WithRSAEncryption} as the <em>digest</em> algorithm, which Bouncy Castle cannot look up, so the three
 * {@code shaNNNWithRSAEncryption} OIDs are read as their SHA-2 digest. That field is not covered by the signature, and
 * the RSA signature itself carries (and Bouncy Castle compares) the real DigestInfo, so the rewrite cannot make a
 * signature verify that would not verify over the same digest.
 */
public final class Pkcs7Verifier {
  /** Azure sends the signer certificate only; a few more are plenty and bound the path search's candidates. */
  public static final int MAX_CERTIFICATES = 8;
  /** The attested data is a few hundred bytes. */
  public static final int MAX_CONTENT_BYTES = 8 * 1024;

  private static final Map<ASN1ObjectIdentifier, ASN1ObjectIdentifier> AZURE_DIGEST_ALIASES = Map.of(
      PKCSObjectIdentifiers.sha256WithRSAEncryption, NISTObjectIdentifiers.id_sha256,
      PKCSObjectIdentifiers.sha384WithRSAEncryption, NISTObjectIdentifiers.id_sha384,
      PKCSObjectIdentifiers.sha512WithRSAEncryption, NISTObjectIdentifiers.id_sha512);
  private static final Set<ASN1ObjectIdentifier> DIGESTS = Set.of(
      NISTObjectIdentifiers.id_sha256, NISTObjectIdentifiers.id_sha384, NISTObjectIdentifiers.id_sha512);
  private static final Set<ASN1ObjectIdentifier> SIGNATURES = Set.of(
      PKCSObjectIdentifiers.rsaEncryption,
      PKCSObjectIdentifiers.sha256WithRSAEncryption,
      PKCSObjectIdentifiers.sha384WithRSAEncryption,
      PKCSObjectIdentifiers.sha512WithRSAEncryption,
      X9ObjectIdentifiers.ecdsa_with_SHA256,
      X9ObjectIdentifiers.ecdsa_with_SHA384,
      X9ObjectIdentifiers.ecdsa_with_SHA512);

  private Pkcs7Verifier() {}

  /** The verified content and its signer; see the class comment for what is checked. */
  public static SignedContent verify(byte[] der) throws Refusal {
    SignedData signedData = normalize(signedData(der));
    CMSSignedData cms;
    try {
      cms = new CMSSignedData(new ContentInfo(CMSObjectIdentifiers.signedData, signedData));
    } catch (CMSException | RuntimeException e) {
      throw Refusal.malformed("PKCS#7 SignedData could not be read (" + e.getClass().getSimpleName() + ")");
    }
    if (!CMSObjectIdentifiers.data.getId().equals(cms.getSignedContentTypeOID())) {
      throw Refusal.malformed("PKCS#7 content type " + Reasons.quote(cms.getSignedContentTypeOID())
          + " is not id-data");
    }
    CMSTypedData signed = cms.getSignedContent();
    if (signed == null || !(signed.getContent() instanceof byte[] content)) {
      throw Refusal.malformed("PKCS#7 content is detached (expected: the attested data inside the SignedData)");
    }
    if (content.length > MAX_CONTENT_BYTES) {
      throw Refusal.malformed("PKCS#7 content is " + content.length + " bytes (expected: <= " + MAX_CONTENT_BYTES + ")");
    }
    List<X509Certificate> certificates = certificates(cms);
    Collection<SignerInformation> signers = cms.getSignerInfos().getSigners();
    if (signers.size() != 1) {
      // One signer, one key to check: with several, "which one made this trusted?" has no safe answer.
      throw Refusal.untrusted("PKCS#7 has " + signers.size() + " SignerInfos (expected: exactly one)");
    }
    SignerInformation signer = signers.iterator().next();
    checkAlgorithms(signer);
    X509CertificateHolder holder = signerCertificate(cms, signer);
    try {
      boolean ok = signer.verify(new JcaSimpleSignerInfoVerifierBuilder().build(holder));
      if (!ok) {
        throw Refusal.untrusted("PKCS#7 signature does not verify with the signer certificate");
      }
      return new SignedContent(content, new JcaX509CertificateConverter().getCertificate(holder), certificates);
    } catch (CMSException | OperatorCreationException | CertificateException | RuntimeException e) {
      throw Refusal.untrusted("PKCS#7 signature does not verify with the signer certificate ("
          + e.getClass().getSimpleName() + ")");
    }
  }

  /** DER only, and all of it: trailing bytes would be data nobody checked. */
  private static SignedData signedData(byte[] der) throws Refusal {
    ContentInfo info;
    try {
      info = ContentInfo.getInstance(ASN1Primitive.fromByteArray(der));
    } catch (IOException | RuntimeException e) {
      throw Refusal.malformed("signature is not a DER-encoded PKCS#7 (" + e.getClass().getSimpleName() + ")");
    }
    if (info == null || !CMSObjectIdentifiers.signedData.equals(info.getContentType())) {
      throw Refusal.malformed("signature is not a PKCS#7 SignedData");
    }
    try {
      return SignedData.getInstance(info.getContent());
    } catch (RuntimeException e) {
      throw Refusal.malformed("PKCS#7 SignedData is malformed (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** Rewrites Azure's signature-OID-as-digest-OID; see the class comment. */
  private static SignedData normalize(SignedData sd) throws Refusal {
    try {
      ASN1EncodableVector digests = new ASN1EncodableVector();
      for (var d : sd.getDigestAlgorithms()) {
        digests.add(digest(AlgorithmIdentifier.getInstance(d)));
      }
      ASN1EncodableVector infos = new ASN1EncodableVector();
      for (var s : sd.getSignerInfos()) {
        SignerInfo i = SignerInfo.getInstance(s);
        infos.add(new SignerInfo(i.getSID(), digest(i.getDigestAlgorithm()), i.getAuthenticatedAttributes(),
            i.getDigestEncryptionAlgorithm(), i.getEncryptedDigest(), i.getUnauthenticatedAttributes()));
      }
      return new SignedData(new DERSet(digests), sd.getEncapContentInfo(), sd.getCertificates(), sd.getCRLs(),
          new DERSet(infos));
    } catch (RuntimeException e) {
      throw Refusal.malformed("PKCS#7 SignedData is malformed (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static AlgorithmIdentifier digest(AlgorithmIdentifier id) {
    ASN1ObjectIdentifier alias = AZURE_DIGEST_ALIASES.get(id.getAlgorithm());
    return alias == null ? id : new AlgorithmIdentifier(alias, DERNull.INSTANCE);
  }

  private static void checkAlgorithms(SignerInformation signer) throws Refusal {
    if (!DIGESTS.contains(new ASN1ObjectIdentifier(signer.getDigestAlgOID()))) {
      throw Refusal.untrusted("PKCS#7 digest algorithm " + Reasons.quote(signer.getDigestAlgOID())
          + " is not accepted (expected: SHA-256, SHA-384 or SHA-512)");
    }
    if (!SIGNATURES.contains(new ASN1ObjectIdentifier(signer.getEncryptionAlgOID()))) {
      throw Refusal.untrusted("PKCS#7 signature algorithm " + Reasons.quote(signer.getEncryptionAlgOID())
          + " is not accepted (expected: RSA or ECDSA)");
    }
  }

  private static List<X509Certificate> certificates(CMSSignedData cms) throws Refusal {
    Collection<X509CertificateHolder> holders = cms.getCertificates().getMatches(null);
    if (holders.size() > MAX_CERTIFICATES) {
      throw Refusal.malformed("PKCS#7 carries " + holders.size() + " certificates (expected: at most "
          + MAX_CERTIFICATES + ")");
    }
    Set<X509Certificate> out = new LinkedHashSet<>();
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    for (X509CertificateHolder h : holders) {
      try {
        out.add(converter.getCertificate(h));
      } catch (CertificateException | RuntimeException e) {
        throw Refusal.malformed("PKCS#7 carries an unreadable certificate");
      }
    }
    return new ArrayList<>(out);
  }

  /** The one certificate the SignerInfo names; none or several is a refusal, never a guess. */
  private static X509CertificateHolder signerCertificate(CMSSignedData cms, SignerInformation signer)
      throws Refusal {
    @SuppressWarnings("unchecked")
    Collection<X509CertificateHolder> matches = cms.getCertificates().getMatches(signer.getSID());
    Set<X509CertificateHolder> distinct = new LinkedHashSet<>(matches);
    if (distinct.isEmpty()) {
      throw Refusal.untrusted("PKCS#7 does not carry the signer's certificate");
    }
    if (distinct.size() > 1) {
      throw Refusal.untrusted("PKCS#7 carries " + distinct.size() + " certificates matching the signer "
          + "(expected: exactly one)");
    }
    return distinct.iterator().next();
  }
}
