package dev.minter.attest.azure;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Set;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.cms.IssuerAndSerialNumber;
import org.bouncycastle.asn1.cms.SignedData;
import org.bouncycastle.asn1.cms.SignerIdentifier;
import org.bouncycastle.asn1.cms.SignerInfo;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * Azure IMDS attested documents in the exact real format, signed by test keys: the response envelope
 * {@code {"encoding":"pkcs7","signature":"<base64>"}}, a PKCS#7 laid out as Azure lays it out (SignedData v1, digest
 * algorithm given as {@code sha256WithRSAEncryption}, attached {@code id-data} content, the signer certificate only,
 * one SignerInfo with no signed attributes and an {@code rsaEncryption} signature over the content itself), and the
 * content JSON with Azure's keys, order and timestamp form. Knobs let tests break each part.
 */
public final class ImdsDocuments {
  /** Azure writes {@code 11/30/26 04:30:00 -0000}. */
  public static final DateTimeFormatter AZURE_TIME =
      DateTimeFormatter.ofPattern("MM/dd/yy HH:mm:ss '-0000'", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final ObjectMapper JSON = new ObjectMapper();

  private ImdsDocuments() {}

  /** Content fields in Azure's order, to be edited by tests; {@link #json} writes them as Azure does. */
  public static Map<String, Object> content(
      String nonce, String subscriptionId, String vmId, Instant createdOn, Instant expiresOn) {
    Map<String, Object> plan = new LinkedHashMap<>();
    plan.put("name", "");
    plan.put("product", "");
    plan.put("publisher", "");
    Map<String, Object> stamp = new LinkedHashMap<>();
    stamp.put("createdOn", AZURE_TIME.format(createdOn));
    stamp.put("expiresOn", AZURE_TIME.format(expiresOn));
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("licenseType", "Windows_Server");
    c.put("nonce", nonce);
    c.put("plan", plan);
    c.put("sku", "2022-datacenter-azure-edition");
    c.put("subscriptionId", subscriptionId);
    c.put("timeStamp", stamp);
    c.put("vmId", vmId);
    return c;
  }

  /** Compact JSON, as IMDS writes it. */
  public static byte[] json(Map<String, Object> content) {
    try {
      return JSON.writeValueAsBytes(content);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The IMDS response carrying {@code der}. */
  public static byte[] envelope(byte[] der) {
    return ("{\"encoding\":\"pkcs7\",\"signature\":\"" + Base64.getEncoder().encodeToString(der) + "\"}")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** Starts a PKCS#7 over {@code content}. */
  public static Pkcs7 pkcs7(byte[] content) {
    return new Pkcs7(content);
  }

  /** A PKCS#7 SignedData in Azure's layout, with knobs for breaking it. */
  public static final class Pkcs7 {
    private byte[] content;
    private byte[] signedBytes;
    private final List<PrivateKey> keys = new ArrayList<>();
    private final List<X509Certificate> signerCerts = new ArrayList<>();
    private List<X509Certificate> certificates;
    private boolean detached;
    private ASN1ObjectIdentifier contentType = CMSObjectIdentifiers.data;
    private AlgorithmIdentifier digest = new AlgorithmIdentifier(PKCSObjectIdentifiers.sha256WithRSAEncryption,
        DERNull.INSTANCE);
    private String signatureAlgorithm;
    private UnaryOperator<byte[]> tamper = UnaryOperator.identity();

    private Pkcs7(byte[] content) {
      this.content = content.clone();
    }

    /** Adds a SignerInfo signed with {@code key} naming {@code cert}. */
    public Pkcs7 signer(PrivateKey key, X509Certificate cert) {
      keys.add(key);
      signerCerts.add(cert);
      return this;
    }

    /** Replaces the certificate set (default: the signers' certificates). */
    public Pkcs7 certificates(X509Certificate... certs) {
      this.certificates = List.of(certs);
      return this;
    }

    /** Signs these bytes but carries the original content (a tampered document). */
    public Pkcs7 signOver(byte[] other) {
      this.signedBytes = other.clone();
      return this;
    }

    public Pkcs7 detached() {
      this.detached = true;
      return this;
    }

    public Pkcs7 contentType(ASN1ObjectIdentifier oid) {
      this.contentType = oid;
      return this;
    }

    /** The digest algorithm written in the SignerInfo and the hash actually used ({@code SHA1withRSA} etc.). */
    public Pkcs7 digest(ASN1ObjectIdentifier oid, String jcaSignatureAlgorithm) {
      this.digest = new AlgorithmIdentifier(oid, DERNull.INSTANCE);
      this.signatureAlgorithm = jcaSignatureAlgorithm;
      return this;
    }

    /** Changes the signature bytes after signing. */
    public Pkcs7 tamperSignature(UnaryOperator<byte[]> change) {
      this.tamper = change;
      return this;
    }

    public byte[] der() {
      try {
        ASN1EncodableVector infos = new ASN1EncodableVector();
        for (int i = 0; i < keys.size(); i++) {
          infos.add(signerInfo(keys.get(i), signerCerts.get(i)));
        }
        ASN1EncodableVector certs = new ASN1EncodableVector();
        for (X509Certificate c : certificates == null ? signerCerts : certificates) {
          certs.add(Certificate.getInstance(c.getEncoded()));
        }
        ContentInfo encap = new ContentInfo(contentType, detached ? null : new DEROctetString(content));
        SignedData sd = new SignedData(new DERSet(digest), encap, new DERSet(certs), null, new DERSet(infos));
        return new ContentInfo(CMSObjectIdentifiers.signedData, sd).getEncoded(ASN1Encoding.DER);
      } catch (IOException | GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    public byte[] envelope() {
      return ImdsDocuments.envelope(der());
    }

    private SignerInfo signerInfo(PrivateKey key, X509Certificate cert)
        throws GeneralSecurityException, CertificateEncodingException {
      boolean ec = key.getAlgorithm().equals("EC");
      String algorithm = signatureAlgorithm != null ? signatureAlgorithm : ec ? "SHA256withECDSA" : "SHA256withRSA";
      Signature s = Signature.getInstance(algorithm);
      s.initSign(key);
      s.update(signedBytes != null ? signedBytes : content);
      byte[] signature = tamper.apply(s.sign());
      IssuerAndSerialNumber sid = new IssuerAndSerialNumber(
          X500Name.getInstance(cert.getIssuerX500Principal().getEncoded()), cert.getSerialNumber());
      AlgorithmIdentifier sigAlg = ec ? new AlgorithmIdentifier(X9ObjectIdentifiers.ecdsa_with_SHA256)
          : new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE);
      return new SignerInfo(new SignerIdentifier(sid), digest, (ASN1Set) null, sigAlg, new DEROctetString(signature),
          (ASN1Set) null);
    }
  }
}
