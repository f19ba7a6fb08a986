package dev.minter.attest.oidc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.text.ParseException;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A token issuer for tests: a signing key generated at runtime (RSA 2048 like Google and GitHub, or P-256), its
 * public keys in the shapes issuers publish, and compact JWS tokens over arbitrary headers and claims.
 */
public final class TestIssuer {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final JWK key;

  private TestIssuer(JWK key) {
    this.key = key;
  }

  /** An RSA-2048 issuer whose published key says {@code "alg": "RS256", "use": "sig"}, as Google's and GitHub's do. */
  public static TestIssuer rsa(String kid) {
    try {
      return new TestIssuer(
          new RSAKeyGenerator(2048).keyID(kid).algorithm(JWSAlgorithm.RS256).keyUse(KeyUse.SIGNATURE).generate());
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A P-256 issuer (ES256). */
  public static TestIssuer ec(String kid) {
    try {
      return new TestIssuer(new ECKeyGenerator(Curve.P_256).keyID(kid).keyUse(KeyUse.SIGNATURE).generate());
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The same key pair under another kid (a forger reusing a real kid with its own key is {@code other.as(kid)}). */
  public TestIssuer as(String kid) {
    return new TestIssuer(
        key instanceof RSAKey rsa ? new RSAKey.Builder(rsa).keyID(kid).build() : new ECKey.Builder((ECKey) key).keyID(kid).build());
  }

  public String kid() {
    return key.getKeyID();
  }

  public String alg() {
    return key instanceof RSAKey ? "RS256" : "ES256";
  }

  public JWK publicKey() {
    return key.toPublicJWK();
  }

  public JWKSet publicJwks() {
    return new JWKSet(key.toPublicJWK());
  }

  /** The default header issuers use: {@code {"alg", "kid", "typ": "JWT"}}. */
  public Map<String, Object> header() {
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("alg", alg());
    header.put("kid", kid());
    header.put("typ", "JWT");
    return header;
  }

  public String sign(Map<String, Object> claims) {
    return sign(header(), claims);
  }

  /** Signs {@code claims} under {@code header} (whose {@code alg} must be an RS* or ES* this key can make). */
  public String sign(Map<String, Object> header, Map<String, Object> claims) {
    try {
      JWSObject jws = new JWSObject(JWSHeader.parse(header), new Payload(json(claims)));
      JWSSigner signer = key instanceof RSAKey rsa ? new RSASSASigner(rsa) : new ECDSASigner((ECKey) key);
      jws.sign(signer);
      return jws.serialize();
    } catch (JOSEException | ParseException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code header.payload.signature} exactly as given (for {@code alg: none} and other hand-made forgeries). */
  public static String assemble(Map<String, Object> header, Map<String, Object> claims, String signature) {
    return b64(json(header)) + "." + b64(json(claims)) + "." + signature;
  }

  /**
   * The algorithm-confusion forgery: {@code alg: HS256}, MACed with this issuer's <em>public</em> key (its X.509
   * encoding) as the secret — what a verifier that lets the token pick the algorithm would accept.
   */
  public String hmacWithPublicKey(Map<String, Object> claims) {
    try {
      Map<String, Object> header = header();
      header.put("alg", "HS256");
      String input = b64(json(header)) + "." + b64(json(claims));
      byte[] secret = key instanceof RSAKey rsa ? rsa.toPublicKey().getEncoded() : ((ECKey) key).toPublicKey().getEncoded();
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return input + "." + B64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A self-signed certificate for this key (Google publishes its keys as such certificates), valid as given. */
  public X509Certificate certificate(Instant notBefore, Instant notAfter) {
    try {
      X500Principal name = new X500Principal("CN=" + kid());
      boolean rsa = key instanceof RSAKey;
      var builder =
          new JcaX509v3CertificateBuilder(
              name, BigInteger.valueOf(notBefore.getEpochSecond()), Date.from(notBefore), Date.from(notAfter), name,
              rsa ? ((RSAKey) key).toPublicKey() : ((ECKey) key).toPublicKey());
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      var signer =
          new JcaContentSignerBuilder(rsa ? "SHA256withRSA" : "SHA256withECDSA")
              .build(rsa ? ((RSAKey) key).toPrivateKey() : ((ECKey) key).toPrivateKey());
      return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** PEM text of {@code cert}. */
  public static String pem(X509Certificate cert) {
    try {
      return "-----BEGIN CERTIFICATE-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cert.getEncoded())
          + "\n-----END CERTIFICATE-----\n";
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * {@code token} with its signature re-encoded so it reads differently but decodes to the same bytes: an RS256
   * signature is 256 bytes, 342 base64url characters whose last one carries 4 unused bits.
   */
  public static String malleateSignatureEncoding(String token) {
    char last = token.charAt(token.length() - 1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    return token.substring(0, token.length() - 1) + alphabet.charAt(alphabet.indexOf(last) ^ 1);
  }

  /** {@code token} (ES256) with its ECDSA signature (r, s) replaced by the equally valid (r, n - s). */
  public static String negateEcdsaS(String token) {
    BigInteger n = Curve.P_256.toECParameterSpec().getOrder();
    int dot = token.lastIndexOf('.');
    byte[] sig = Base64.getUrlDecoder().decode(token.substring(dot + 1));
    byte[] s = java.util.Arrays.copyOfRange(sig, 32, 64);
    byte[] negated = n.subtract(new BigInteger(1, s)).toByteArray();
    byte[] out = sig.clone();
    java.util.Arrays.fill(out, 32, 64, (byte) 0);
    int len = Math.min(negated.length, 32);
    System.arraycopy(negated, negated.length - len, out, 64 - len, len);
    return token.substring(0, dot + 1) + B64.encodeToString(out);
  }

  public static String b64(String text) {
    return B64.encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  public static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
