package dev.minter.attest.aws;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.AttributeTable;
import org.bouncycastle.asn1.cms.CMSAttributes;
import org.bouncycastle.asn1.cms.Time;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.CMSSignedDataStreamGenerator;
import org.bouncycastle.cms.DefaultSignedAttributeTableGenerator;
import org.bouncycastle.cms.SignerInfoGenerator;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * Makes EC2 instance identity evidence in AWS's exact formats, signed by keys generated at runtime: the document as
 * IMDS serves it (pretty-printed, {@code "key" : value}, no trailing newline), and the {@code rsa2048} PKCS#7 as AWS
 * builds it (BER with indefinite lengths, document attached as id-data, one SignerInfo identified by issuer and
 * serial, SHA-256 with RSA, signed attributes contentType, signingTime, CMSAlgorithmProtection and messageDigest, no
 * certificates), base64 in 76-character lines.
 */
public final class AwsIidForge {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final BouncyCastleProvider BC = new BouncyCastleProvider();
  /** AWS's instance identity certificates carry this subject (and are self-signed). */
  static final String AWS_SUBJECT = "C=US, ST=Washington State, L=Seattle, O=Amazon Web Services LLC";

  private AwsIidForge() {}

  /** A signing key and its certificate, standing in for one of AWS's regional certificates (or a forger's). */
  public record Signer(KeyPair keys, X509Certificate certificate, String algorithm) {
    /** A self-signed RSA-2048 certificate with AWS's subject, valid from {@code from} to {@code to}. */
    public static Signer rsa(Instant from, Instant to) {
      return selfSigned(generate("RSA", 2048), new X500Name(AWS_SUBJECT), new BigInteger(64, RANDOM), from, to,
          "SHA256withRSA");
    }

    /** An EC P-256 signer (AWS never signs with EC). */
    public static Signer ec(Instant from, Instant to) {
      return selfSigned(generate("EC", 0), new X500Name(AWS_SUBJECT), new BigInteger(64, RANDOM), from, to,
          "SHA256withECDSA");
    }

    /** A certificate with {@code original}'s issuer and serial but a key of its own: same signer id, other key. */
    public static Signer lookalikeOf(Signer original) {
      X509Certificate o = original.certificate();
      return selfSigned(generate("RSA", 2048), X500Name.getInstance(o.getIssuerX500Principal().getEncoded()),
          o.getSerialNumber(),
          o.getNotBefore().toInstant(), o.getNotAfter().toInstant(), "SHA256withRSA");
    }

    /** This signer with another signature algorithm (e.g. {@code SHA1withRSA}, {@code SHA256withRSAandMGF1}). */
    public Signer with(String signatureAlgorithm) {
      return new Signer(keys, certificate, signatureAlgorithm);
    }
  }

  /** The fields of a document in AWS's order; values are strings, null, lists, or {@link Raw} JSON. */
  public static Map<String, Object> fields(String account, String region, String instanceId, Instant pendingTime) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("accountId", account);
    f.put("architecture", "x86_64");
    f.put("availabilityZone", region + "a");
    f.put("billingProducts", null);
    f.put("devpayProductCodes", null);
    f.put("marketplaceProductCodes", null);
    f.put("imageId", "ami-0123456789abcdef0");
    f.put("instanceId", instanceId);
    f.put("instanceType", "t3.micro");
    f.put("kernelId", null);
    f.put("pendingTime", pendingTime.toString());
    f.put("privateIp", "10.0.1.242");
    f.put("ramdiskId", null);
    f.put("region", region);
    f.put("version", "2017-09-30");
    return f;
  }

  /** A JSON value written as is (wrong types, nesting, duplicates). */
  public record Raw(String json) {}

  /** The document text as IMDS serves it. */
  public static String document(Map<String, Object> fields) {
    StringBuilder sb = new StringBuilder("{\n");
    List<String> lines = new ArrayList<>();
    fields.forEach((k, v) -> lines.add("  " + quote(k.replaceFirst("#.*", "")) + " : " + value(v)));
    sb.append(String.join(",\n", lines));
    return sb.append("\n}").toString();
  }

  /** Options for building the PKCS#7; the defaults are what AWS sends. */
  public static final class Pkcs7 {
    private final byte[] content;
    private final List<Signer> signers = new ArrayList<>();
    private final List<X509Certificate> embedded = new ArrayList<>();
    private boolean attached = true;
    private boolean ber = true;
    private Instant signingTime;
    private ASN1ObjectIdentifier contentType;

    private Pkcs7(byte[] content) {
      this.content = content.clone();
    }

    public Pkcs7 signedBy(Signer signer) {
      signers.add(signer);
      return this;
    }

    public Pkcs7 embedding(X509Certificate cert) {
      embedded.add(cert);
      return this;
    }

    public Pkcs7 detached() {
      attached = false;
      return this;
    }

    /** DER (definite lengths) instead of AWS's indefinite-length BER. */
    public Pkcs7 der() {
      ber = false;
      return this;
    }

    public Pkcs7 signingTime(Instant time) {
      signingTime = time;
      return this;
    }

    public Pkcs7 contentType(String oid) {
      contentType = new ASN1ObjectIdentifier(oid);
      ber = false;
      return this;
    }

    public byte[] build() {
      try {
        if (ber) {
          CMSSignedDataStreamGenerator gen = new CMSSignedDataStreamGenerator();
          for (Signer s : signers) {
            gen.addSignerInfoGenerator(signerInfo(s));
          }
          if (!embedded.isEmpty()) {
            gen.addCertificates(new JcaCertStore(embedded));
          }
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          try (OutputStream data = gen.open(out, attached)) {
            data.write(content);
          }
          return out.toByteArray();
        }
        CMSSignedDataGenerator gen = new CMSSignedDataGenerator();
        for (Signer s : signers) {
          gen.addSignerInfoGenerator(signerInfo(s));
        }
        if (!embedded.isEmpty()) {
          gen.addCertificates(new JcaCertStore(embedded));
        }
        CMSProcessableByteArray typed = contentType == null
            ? new CMSProcessableByteArray(content)
            : new CMSProcessableByteArray(contentType, content);
        return gen.generate(typed, attached).toASN1Structure().getEncoded("DER");
      } catch (Exception e) {
        throw new IllegalStateException("cannot forge a PKCS#7: " + e, e);
      }
    }

    private SignerInfoGenerator signerInfo(Signer s) throws Exception {
      Instant time = signingTime != null ? signingTime : s.certificate().getNotBefore().toInstant().plusSeconds(3600);
      AttributeTable preset = new AttributeTable(
          new Attribute(CMSAttributes.signingTime, new DERSet(new Time(Date.from(time)))));
      return new JcaSignerInfoGeneratorBuilder(new JcaDigestCalculatorProviderBuilder().setProvider(BC).build())
          .setSignedAttributeGenerator(new DefaultSignedAttributeTableGenerator(preset))
          .build(new JcaContentSignerBuilder(s.algorithm()).setProvider(BC).build(s.keys().getPrivate()), s.certificate());
    }
  }

  public static Pkcs7 pkcs7(String document) {
    return pkcs7(document.getBytes(StandardCharsets.UTF_8));
  }

  public static Pkcs7 pkcs7(byte[] content) {
    return new Pkcs7(content);
  }

  /** The base64 IMDS serves: 76-character lines separated by newlines. */
  public static String imdsBase64(byte[] der) {
    return Base64.getMimeEncoder(76, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
  }

  /** The evidence payload an agent sends. */
  public static byte[] payload(String document, byte[] rsa2048) {
    return payload(document, imdsBase64(rsa2048));
  }

  public static byte[] payload(String document, String rsa2048Text) {
    ObjectNode node = JSON.createObjectNode().put("document", document).put("rsa2048", rsa2048Text);
    try {
      return JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code bytes} with the byte at the first occurrence of {@code needle} (plus {@code offset}) changed. */
  public static byte[] flip(byte[] bytes, byte[] needle, int offset) {
    int at = indexOf(bytes, needle);
    if (at < 0) {
      throw new IllegalArgumentException("needle not found");
    }
    byte[] copy = bytes.clone();
    copy[at + offset] ^= 0x01;
    return copy;
  }

  static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static String value(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof Raw raw) {
      return raw.json();
    }
    if (v instanceof List<?> list) {
      return list.isEmpty() ? "[ ]" : "[ " + String.join(", ", list.stream().map(AwsIidForge::value).toList()) + " ]";
    }
    return quote(v.toString());
  }

  private static String quote(String s) {
    try {
      return JSON.writeValueAsString(s);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair generate(String algorithm, int bits) {
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance(algorithm);
      if (bits > 0) {
        gen.initialize(bits, RANDOM);
      } else {
        gen.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      }
      return gen.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Signer selfSigned(
      KeyPair keys, X500Name name, BigInteger serial, Instant from, Instant to, String algorithm) {
    try {
      X509CertificateHolder holder = new JcaX509v3CertificateBuilder(
              name, serial, Date.from(from), Date.from(to), name, keys.getPublic())
          .build(new JcaContentSignerBuilder(algorithm).setProvider(BC).build(keys.getPrivate()));
      return new Signer(keys, new JcaX509CertificateConverter().getCertificate(holder), algorithm);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
