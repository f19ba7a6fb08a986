package dev.minter.attest.oidc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Reads trusted verification keys from the three shapes issuers publish them in:
 *
 * <ul>
 *   <li>a JWKS ({@code {"keys": [...]}}, e.g. Google's {@code oauth2/v3/certs}, GitHub's {@code .well-known/jwks});
 *   <li>a JSON object of key id → PEM certificate (Google's {@code oauth2/v1/certs});
 *   <li>PEM certificates; each key's id is then its RFC 7638 SHA-256 thumbprint.
 * </ul>
 *
 * Private keys are refused: a trust file holding one is a mistake that would put signing material where it does not
 * belong (and {@code JwtVerifier} would refuse to use it anyway).
 */
public final class KeySets {
  /** Far above any real JWKS (Google's holds 2-3 keys); bounds what a file or endpoint can make us parse. */
  public static final int MAX_BYTES = 256 * 1024;

  public static final int MAX_KEYS = 64;
  private static final ObjectMapper JSON = new ObjectMapper();

  private KeySets() {}

  /**
   * Parses {@code text} in one of the shapes above.
   *
   * @throws IllegalArgumentException saying what is wrong (never quoting key material)
   */
  public static JWKSet parse(String text) {
    if (text.length() > MAX_BYTES) {
      throw new IllegalArgumentException("key set is " + text.length() + " characters (expected: <= " + MAX_BYTES + ")");
    }
    String trimmed = text.strip();
    List<JWK> keys;
    if (trimmed.startsWith("{")) {
      keys = json(trimmed);
    } else if (trimmed.contains("-----BEGIN CERTIFICATE-----")) {
      keys = new ArrayList<>();
      for (X509Certificate cert : certificates(trimmed)) {
        JWK key = fromCertificate(cert, null);
        keys.add(withKid(key, thumbprint(key)));
      }
    } else {
      throw new IllegalArgumentException("not a JWKS, a JSON map of PEM certificates, or PEM certificates");
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("key set holds no keys");
    }
    if (keys.size() > MAX_KEYS) {
      throw new IllegalArgumentException("key set holds " + keys.size() + " keys (expected: <= " + MAX_KEYS + ")");
    }
    for (JWK key : keys) {
      if (key.isPrivate()) {
        throw new IllegalArgumentException("key '" + key.getKeyID() + "' is a private key (expected: public keys only)");
      }
      if (key.getKeyID() == null || key.getKeyID().isEmpty()) {
        throw new IllegalArgumentException("a key has no 'kid' (tokens name their key by kid)");
      }
    }
    return new JWKSet(keys);
  }

  private static List<JWK> json(String text) {
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (IOException e) {
      throw new IllegalArgumentException("key set is not valid JSON");
    }
    if (root.has("keys")) {
      try {
        return JWKSet.parse(text).getKeys();
      } catch (ParseException e) {
        throw new IllegalArgumentException("not a valid JWKS: " + e.getMessage());
      }
    }
    List<JWK> keys = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      if (!entry.getValue().isTextual()) {
        throw new IllegalArgumentException("'" + entry.getKey() + "' is not a PEM certificate string");
      }
      List<X509Certificate> certs = certificates(entry.getValue().asText());
      if (certs.size() != 1) {
        throw new IllegalArgumentException("'" + entry.getKey() + "' holds " + certs.size() + " certificates (expected: 1)");
      }
      keys.add(fromCertificate(certs.get(0), entry.getKey()));
    }
    return keys;
  }

  private static List<X509Certificate> certificates(String pem) {
    try {
      Collection<? extends Certificate> certs =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
      List<X509Certificate> out = new ArrayList<>();
      certs.forEach(c -> out.add((X509Certificate) c));
      return out;
    } catch (CertificateException e) {
      throw new IllegalArgumentException("unreadable PEM certificate");
    }
  }

  /** The certificate's public key, with the certificate's validity as the key's {@code nbf}/{@code exp}. */
  private static JWK fromCertificate(X509Certificate cert, String kid) {
    try {
      JWK key = JWK.parse(cert);
      return kid == null ? key : withKid(key, kid);
    } catch (JOSEException e) {
      throw new IllegalArgumentException("certificate key is neither RSA nor EC: " + e.getMessage());
    }
  }

  private static JWK withKid(JWK key, String kid) {
    if (key instanceof RSAKey rsa) {
      return new RSAKey.Builder(rsa).keyID(kid).build();
    }
    if (key instanceof ECKey ec) {
      return new ECKey.Builder(ec).keyID(kid).build();
    }
    throw new IllegalArgumentException("key type " + key.getKeyType() + " is not supported (expected: RSA or EC)");
  }

  private static String thumbprint(JWK key) {
    try {
      return key.computeThumbprint().toString();
    } catch (JOSEException e) {
      throw new IllegalArgumentException("cannot compute key thumbprint: " + e.getMessage());
    }
  }
}
