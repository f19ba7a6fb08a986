package dev.minter.attest.jwt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.crypto.impl.ECDSA;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Builds JWTs for tests byte by byte: header and payload are whatever JSON the test says (duplicate keys, odd types,
 * forbidden parameters), and the signature is computed with plain JCA, so forged tokens go through the production
 * verifier exactly as an attacker would send them. Keys are generated at runtime.
 */
public final class TestJwts {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TestJwts() {}

  public static RSAKey rsa(String kid) {
    try {
      return new RSAKeyGenerator(2048).keyID(kid).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An RSA key below the verifier's minimum (nimbus' generator refuses to make one, so JCA does). */
  public static RSAKey weakRsa(String kid, int bits) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(bits);
      KeyPair kp = g.generateKeyPair();
      return new RSAKey.Builder((RSAPublicKey) kp.getPublic()).privateKey((RSAPrivateKey) kp.getPrivate()).keyID(kid)
          .build();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public static ECKey ec(String kid, Curve curve) {
    try {
      return new ECKeyGenerator(curve).keyID(kid).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String b64(String s) {
    return b64(s.getBytes(StandardCharsets.UTF_8));
  }

  public static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  public static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code header.payload} signed with {@code key} under JOSE algorithm {@code alg}. */
  public static String sign(String headerJson, String payloadJson, String alg, JWK key) {
    String input = b64(headerJson) + "." + b64(payloadJson);
    return input + "." + b64(signature(alg, key, input.getBytes(StandardCharsets.US_ASCII)));
  }

  /** The raw JOSE signature bytes (ECDSA as R || S, as JWS requires). */
  public static byte[] signature(String alg, JWK key, byte[] input) {
    try {
      if (alg.startsWith("HS")) {
        throw new IllegalArgumentException("use hmac()");
      }
      PrivateKey priv = key instanceof RSAKey r ? r.toPrivateKey() : ((ECKey) key).toPrivateKey();
      String bits = alg.substring(2);
      Signature s;
      if (alg.startsWith("PS")) {
        s = Signature.getInstance("RSASSA-PSS");
        String sha = "SHA-" + bits;
        s.setParameter(new PSSParameterSpec(sha, "MGF1", new MGF1ParameterSpec(sha), Integer.parseInt(bits) / 8, 1));
      } else {
        s = Signature.getInstance("SHA" + bits + "with" + (alg.startsWith("RS") ? "RSA" : "ECDSA"));
      }
      s.initSign(priv);
      s.update(input);
      byte[] sig = s.sign();
      if (alg.startsWith("ES")) {
        return ECDSA.transcodeSignatureToConcat(sig, ECDSA.getSignatureByteArrayLength(
            com.nimbusds.jose.JWSAlgorithm.parse(alg)));
      }
      return sig;
    } catch (GeneralSecurityException | JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code header.payload} with an HMAC-SHA256 "signature" keyed by {@code secret}. */
  public static String hmac(String headerJson, String payloadJson, byte[] secret) {
    try {
      String input = b64(headerJson) + "." + b64(payloadJson);
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return input + "." + b64(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A mutable token under construction: JSON maps for header and claims, signed on {@link #build}. */
  public static final class Builder {
    private final Map<String, Object> header = new LinkedHashMap<>();
    private final Map<String, Object> claims = new LinkedHashMap<>();
    private JWK key;
    private String signAlg;

    public Builder(JWK key, String alg) {
      this.key = key;
      header.put("alg", alg);
      if (key.getKeyID() != null) {
        header.put("kid", key.getKeyID());
      }
      header.put("typ", "JWT");
    }

    /** Sets a header parameter; {@code null} removes it. */
    public Builder header(String name, Object value) {
      put(header, name, value);
      return this;
    }

    /** Sets a claim; {@code null} removes it. Instants become NumericDate seconds. */
    public Builder claim(String name, Object value) {
      put(claims, name, value instanceof Instant i ? i.getEpochSecond() : value);
      return this;
    }

    /** Signs with {@code other} instead (the header keeps its kid). */
    public Builder signWith(JWK other) {
      this.key = other;
      return this;
    }

    /** Signs with this JOSE algorithm whatever the header says. */
    public Builder signAlg(String alg) {
      this.signAlg = alg;
      return this;
    }

    public String headerJson() {
      return json(header);
    }

    public String payloadJson() {
      return json(claims);
    }

    public String build() {
      return sign(headerJson(), payloadJson(), signAlg != null ? signAlg : (String) header.get("alg"), key);
    }

    /** Signs {@code payloadJson} (raw text) under this builder's header. */
    public String buildRawPayload(String payloadJson) {
      return sign(headerJson(), payloadJson, signAlg != null ? signAlg : (String) header.get("alg"), key);
    }

    /** Signs {@code headerJson} (raw text) over this builder's claims. */
    public String buildRawHeader(String headerJson, String alg) {
      return sign(headerJson, payloadJson(), alg, key);
    }

    private static void put(Map<String, Object> map, String name, Object value) {
      if (value == null) {
        map.remove(name);
      } else {
        map.put(name, value);
      }
    }
  }
}
