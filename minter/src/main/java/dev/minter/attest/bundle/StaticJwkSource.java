package dev.minter.attest.bundle;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import dev.minter.attest.jwt.JwkSource;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * JWT verification keys from a local file, re-read without a restart when it changes (see {@link WatchedFile}):
 * either a JWKS document (checked like {@link PublicJwkSet}) or PEM {@code PUBLIC KEY} / {@code CERTIFICATE}
 * blocks, such as a Kubernetes service-account signing key's public half.
 *
 * <p>A PEM key has no key id of its own, so each is found under two: its RFC 7638 JWK thumbprint (SHA-256) and
 * the id Kubernetes puts in service-account tokens (unpadded base64url of the SHA-256 of the DER
 * SubjectPublicKeyInfo). A file holding a private key is refused outright: it does not belong where a verifier
 * reads it.
 */
public final class StaticJwkSource implements JwkSource {
  /** Re-stat the file at most this often by default. */
  public static final Duration DEFAULT_RECHECK = Duration.ofSeconds(5);

  private static final JsonMapper MAPPER = new JsonMapper();

  private final WatchedFile<PublicJwkSet> file;

  private StaticJwkSource(WatchedFile<PublicJwkSet> file) {
    this.file = file;
  }

  /** Loads {@code file} now (failing on a bad file) and watches it, rechecking at most every 5 seconds. */
  public static StaticJwkSource fromFile(Path file, Clock clock) throws IOException {
    return fromFile(file, clock, DEFAULT_RECHECK);
  }

  public static StaticJwkSource fromFile(Path file, Clock clock, Duration recheck) throws IOException {
    return new StaticJwkSource(new WatchedFile<>("JWT key file", file, StaticJwkSource::load, clock, recheck));
  }

  @Override
  public Optional<JWK> find(String kid) {
    return file.get().find(kid);
  }

  /** The keys currently in force. */
  public PublicJwkSet current() {
    return file.get();
  }

  static PublicJwkSet load(byte[] content) throws IOException {
    String text = new String(content, StandardCharsets.UTF_8).strip();
    if (text.startsWith("{")) {
      return PublicJwkSet.parse(content);
    }
    Map<String, JWK> keys = new LinkedHashMap<>();
    int block = 0;
    try (PEMParser parser = new PEMParser(new StringReader(text))) {
      Object o;
      while ((o = parser.readObject()) != null) {
        PublicKey key = switch (o) {
          case SubjectPublicKeyInfo spki -> new JcaPEMKeyConverter().getPublicKey(spki);
          case X509CertificateHolder cert -> new JcaX509CertificateConverter().getCertificate(cert).getPublicKey();
          default -> throw new BundleFormatException("PEM block #" + block + " is a " + o.getClass().getSimpleName()
              + " (expected: PUBLIC KEY or CERTIFICATE; a private key never belongs in a verifier's key file)");
        };
        JWK jwk = toJwk(key, block);
        keys.putIfAbsent(jwk.getKeyID(), jwk);
        keys.putIfAbsent(kubernetesKeyId(key), jwk);
        block++;
      }
    } catch (CertificateException | RuntimeException e) {
      throw new BundleFormatException("PEM key file cannot be read: " + e.getMessage(), e);
    }
    if (keys.isEmpty()) {
      throw new BundleFormatException("key file holds neither a JWKS nor a PEM public key");
    }
    return new PublicJwkSet(keys);
  }

  private static JWK toJwk(PublicKey key, int block) throws BundleFormatException {
    JWK jwk;
    if (key instanceof RSAPublicKey rsa) {
      jwk = new RSAKey.Builder(rsa).build();
    } else if (key instanceof ECPublicKey ec) {
      Curve curve = Curve.forECParameterSpec(ec.getParams());
      if (curve == null) {
        throw new BundleFormatException("PEM block #" + block + " is an EC key on an unsupported curve");
      }
      jwk = new ECKey.Builder(curve, ec).build();
    } else {
      throw new BundleFormatException("PEM block #" + block + " is a " + key.getAlgorithm()
          + " key (expected: RSA or EC)");
    }
    // Same checks as a JWKS entry (RSA size, curve point), then name it by its thumbprint.
    JWK checked = JwkChecks.publicKey(MAPPER.valueToTree(jwk.toJSONObject()), "PEM block #" + block).orElseThrow();
    try {
      Base64URL thumbprint = checked.computeThumbprint();
      return JWK.parse(withKid(checked, thumbprint.toString()));
    } catch (JOSEException | java.text.ParseException e) {
      throw new BundleFormatException("PEM block #" + block + " cannot be turned into a JWK: " + e.getMessage());
    }
  }

  private static Map<String, Object> withKid(JWK jwk, String kid) {
    Map<String, Object> json = new LinkedHashMap<>(jwk.toJSONObject());
    json.put("kid", kid);
    return json;
  }

  private static String kubernetesKeyId(PublicKey key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
      return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
