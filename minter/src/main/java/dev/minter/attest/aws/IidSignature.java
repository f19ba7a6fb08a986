package dev.minter.attest.aws;

import java.security.cert.X509Certificate;
import java.util.Set;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignerDigestMismatchException;
import org.bouncycastle.cms.CMSTypedData;
import org.bouncycastle.cms.CMSVerifierCertificateNotValidException;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.SignerInformationStore;
import org.bouncycastle.cms.SignerInformationVerifier;

/**
 * Verifies the {@code rsa2048} PKCS#7 of an instance identity document the way AWS produces it: CMS SignedData with
 * the document attached as id-data content, exactly one SignerInfo, SHA-256 with RSA, signed by one of the configured
 * AWS certificates. Returns only the content whose signature verified: callers never read an unverified document.
 *
 * <p>Bounded work: the input is at most a few KiB (the payload limit), Bouncy Castle's ASN.1 reader caps nesting
 * depth, and at most one RSA verification per configured certificate whose issuer and serial (or key id) match the
 * signer id is tried, with keys Minter chose, never keys the evidence brings.
 */
public final class IidSignature {
  private static final ASN1ObjectIdentifier SHA256 = NISTObjectIdentifiers.id_sha256;
  /** AWS names the signature sha256WithRSAEncryption; many CMS writers say rsaEncryption. Both are RSA PKCS#1 v1.5. */
  private static final Set<ASN1ObjectIdentifier> RSA =
      Set.of(PKCSObjectIdentifiers.rsaEncryption, PKCSObjectIdentifiers.sha256WithRSAEncryption);

  private IidSignature() {}

  /**
   * The verified content and the configured certificate that signed it.
   *
   * @param content the signed document bytes
   * @param signer the configured certificate whose key verified the signature
   */
  public record Signed(byte[] content, X509Certificate signer) {
    public Signed {
      content = content.clone();
    }

    @Override
    public byte[] content() {
      return content.clone();
    }
  }

  /** Verifies {@code der} against the certificates of {@code trust}. */
  public static Signed verify(byte[] der, IidTrust trust) throws IidRejection {
    CMSSignedData signed = parse(der);
    CMSTypedData content = signed.getSignedContent();
    if (content == null || !(content.getContent() instanceof byte[] bytes)) {
      throw IidRejection.malformed("rsa2048 has detached content (expected: the document attached, as AWS signs it)");
    }
    if (!CMSObjectIdentifiers.data.equals(content.getContentType())) {
      throw IidRejection.malformed("rsa2048 content type is " + content.getContentType() + " (expected: id-data)");
    }
    SignerInformation signer = onlySigner(signed.getSignerInfos());
    if (!SHA256.getId().equals(signer.getDigestAlgOID())) {
      throw IidRejection.untrusted(
          "rsa2048 digest algorithm is " + signer.getDigestAlgOID() + " (expected: SHA-256, " + SHA256 + ")");
    }
    if (!RSA.contains(new ASN1ObjectIdentifier(signer.getEncryptionAlgOID()))) {
      throw IidRejection.untrusted(
          "rsa2048 signature algorithm is " + signer.getEncryptionAlgOID() + " (expected: RSA with SHA-256)");
    }
    boolean anyMatch = false;
    for (IidTrust.Signer trusted : trust.signers()) {
      if (signer.getSID().match(trusted.holder())) {
        anyMatch = true;
        if (verifies(signer, trusted.verifier())) {
          return new Signed(bytes, trusted.certificate());
        }
      }
    }
    throw IidRejection.untrusted(anyMatch
        ? "rsa2048 signature does not verify with the configured AWS certificate"
        : "rsa2048 is signed by a certificate that is not a configured AWS certificate");
  }

  private static CMSSignedData parse(byte[] der) throws IidRejection {
    try {
      CMSSignedData signed = new CMSSignedData(der);
      if (!CMSObjectIdentifiers.signedData.equals(signed.toASN1Structure().getContentType())) {
        throw IidRejection.malformed("rsa2048 is not CMS SignedData");
      }
      return signed;
    } catch (CMSException | RuntimeException e) {
      // Bouncy Castle reports bad ASN.1 as CMSException and, for some shapes, as unchecked exceptions.
      throw IidRejection.malformed("rsa2048 is not a DER/BER-encoded CMS SignedData structure");
    }
  }

  private static SignerInformation onlySigner(SignerInformationStore signers) throws IidRejection {
    // One signer, or a verifier could check one while a different reader trusts another.
    if (signers.size() != 1) {
      throw IidRejection.untrusted("rsa2048 has " + signers.size() + " SignerInfos (expected: exactly 1)");
    }
    return signers.iterator().next();
  }

  /** True if the configured key signed {@code signer}; a mismatched content digest is a tampered document. */
  private static boolean verifies(SignerInformation signer, SignerInformationVerifier verifier) throws IidRejection {
    try {
      return signer.verify(verifier);
    } catch (CMSSignerDigestMismatchException e) {
      throw IidRejection.untrusted("rsa2048 content does not match its signed digest (the document was altered)");
    } catch (CMSVerifierCertificateNotValidException e) {
      throw IidRejection.untrusted("rsa2048 signing time is outside the configured AWS certificate's validity");
    } catch (CMSException | RuntimeException e) {
      return false;
    }
  }
}
