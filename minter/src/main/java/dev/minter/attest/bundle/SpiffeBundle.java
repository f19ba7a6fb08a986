package dev.minter.attest.bundle;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64;
import dev.minter.attest.SpiffeId;
import dev.minter.attest.jwt.JwkSource;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A SPIFFE bundle: the X.509 and JWT authorities of one trust domain, in the format of the SPIFFE Trust Domain and
 * Bundle spec (section 4: a JWK Set with {@code spiffe_sequence}, {@code spiffe_refresh_hint} and keys whose
 * {@code use} is {@code x509-svid} or {@code jwt-svid}).
 *
 * <p>{@link #parse} is strict wherever the spec lets it be, and lenient exactly where the spec requires clients to
 * be: entries with an unknown {@code use} or {@code kty} are skipped (spec 4.1.3, 4.2.1, 4.2.2 — a trust domain
 * that starts publishing WIT-SVID keys must not cut us off). Everything else that is wrong refuses the whole
 * document, because a half-understood bundle is a trust decision made on guesswork: a missing {@code use}; an
 * {@code x509-svid} entry with a {@code kid}, without exactly one {@code x5c} certificate, whose certificate is not
 * a CA or does not carry the entry's key; a {@code jwt-svid} entry without a {@code kid}, or a {@code kid} used
 * twice; any private or symmetric key material; RSA keys under 2048 bits.
 *
 * @param trustDomain the trust domain the bundle is for (not in the document: the spec makes the consumer bind it)
 * @param x509Authorities CA certificates for X.509-SVIDs
 * @param jwtAuthorities public keys for JWT-SVIDs, by key id
 * @param sequence {@code spiffe_sequence}, an unsigned 64-bit value, if present
 * @param refreshHint {@code spiffe_refresh_hint}, if present and not zero
 */
public record SpiffeBundle(
    String trustDomain,
    Set<X509Certificate> x509Authorities,
    Map<String, JWK> jwtAuthorities,
    OptionalLong sequence,
    Optional<Duration> refreshHint) {
  public static final String X509_SVID_USE = "x509-svid";
  public static final String JWT_SVID_USE = "jwt-svid";
  /** More keys than any real trust domain publishes; bounds the work a hostile document can cause. */
  public static final int MAX_KEYS = 256;

  private static final BigInteger MAX_UNSIGNED_64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
  private static final JsonMapper MAPPER = new JsonMapper();

  public SpiffeBundle {
    requireNonNull(trustDomain, "trustDomain");
    if (!SpiffeId.isValidTrustDomain(trustDomain)) {
      throw new IllegalArgumentException("trustDomain: " + JsonDocs.quote(trustDomain) + " is not a valid trust domain");
    }
    x509Authorities = Collections.unmodifiableSet(new LinkedHashSet<>(requireNonNull(x509Authorities, "x509")));
    jwtAuthorities = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(jwtAuthorities, "jwt")));
    for (Map.Entry<String, JWK> e : jwtAuthorities.entrySet()) {
      if (e.getKey().isEmpty() || e.getValue().isPrivate()) {
        throw new IllegalArgumentException("jwtAuthorities: key ids must be non-empty and keys public");
      }
    }
    requireNonNull(sequence, "sequence");
    requireNonNull(refreshHint, "refreshHint");
  }

  /** Parses a SPIFFE bundle document for {@code trustDomain}; see the class comment for what is refused. */
  public static SpiffeBundle parse(String trustDomain, byte[] json) throws BundleFormatException {
    requireNonNull(json, "json");
    JsonNode root = JsonDocs.readObject(json, "SPIFFE bundle");
    OptionalLong sequence = OptionalLong.empty();
    JsonNode seq = root.get("spiffe_sequence");
    if (seq != null) {
      if (!seq.isIntegralNumber() || seq.bigIntegerValue().signum() < 0
          || seq.bigIntegerValue().compareTo(MAX_UNSIGNED_64) > 0) {
        throw new BundleFormatException("spiffe_sequence is not an unsigned 64-bit integer");
      }
      sequence = OptionalLong.of(seq.bigIntegerValue().longValue());
    }
    Optional<Duration> hint = Optional.empty();
    JsonNode refresh = root.get("spiffe_refresh_hint");
    if (refresh != null) {
      if (!refresh.isIntegralNumber() || refresh.bigIntegerValue().signum() < 0
          || refresh.bigIntegerValue().bitLength() > 40) {
        throw new BundleFormatException("spiffe_refresh_hint is not a non-negative integer number of seconds");
      }
      // Zero means "no hint" in SPIRE's bundle model; the consumer's default applies.
      hint = refresh.longValue() == 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(refresh.longValue()));
    }
    JsonNode keys = root.get("keys");
    if (keys == null || !keys.isArray()) {
      throw new BundleFormatException("SPIFFE bundle has no 'keys' array");
    }
    if (keys.size() > MAX_KEYS) {
      throw new BundleFormatException("SPIFFE bundle has " + keys.size() + " keys (expected: at most " + MAX_KEYS + ")");
    }
    Set<X509Certificate> x509 = new LinkedHashSet<>();
    Map<String, JWK> jwt = new LinkedHashMap<>();
    for (int i = 0; i < keys.size(); i++) {
      String where = "bundle key #" + i;
      JsonNode key = keys.get(i);
      if (!key.isObject()) {
        throw new BundleFormatException(where + " is not a JSON object");
      }
      JwkChecks.rejectSecrets(key, where);
      JsonNode use = key.get("use");
      if (use == null || !use.isTextual()) {
        throw new BundleFormatException(where + " has no string 'use' (the SPIFFE bundle spec requires it)");
      }
      if (X509_SVID_USE.equals(use.textValue())) {
        x509Authority(key, where).ifPresent(x509::add);
      } else if (JWT_SVID_USE.equals(use.textValue())) {
        Optional<JWK> jwk = jwtAuthority(key, where);
        if (jwk.isPresent() && jwt.putIfAbsent(jwk.get().getKeyID(), jwk.get()) != null) {
          throw new BundleFormatException(where + " repeats key id " + JsonDocs.quote(jwk.get().getKeyID()));
        }
      }
      // Any other use (case-sensitive, spec 4.2.2) names an SVID type we do not verify: skip the entry.
    }
    return new SpiffeBundle(trustDomain, x509, jwt, sequence, hint);
  }

  /** Convenience for {@link #parse(String, byte[])} on a string. */
  public static SpiffeBundle parse(String trustDomain, String json) throws BundleFormatException {
    return parse(trustDomain, json.getBytes(StandardCharsets.UTF_8));
  }

  /** The JWT authorities as a {@link JwkSource} (a fixed snapshot: no refresh). */
  public JwkSource jwtSource() {
    return kid -> Optional.ofNullable(jwtAuthorities.get(kid));
  }

  /** True when the bundle holds no authority of either kind. */
  public boolean isEmpty() {
    return x509Authorities.isEmpty() && jwtAuthorities.isEmpty();
  }

  /** This bundle in the SPIFFE bundle format, which {@link #parse} reads back to an equal bundle. */
  public String toJson() {
    ObjectNode root = MAPPER.createObjectNode();
    sequence.ifPresent(s -> root.put("spiffe_sequence", new BigInteger(Long.toUnsignedString(s))));
    refreshHint.ifPresent(h -> root.put("spiffe_refresh_hint", h.toSeconds()));
    ArrayNode keys = root.putArray("keys");
    for (X509Certificate cert : x509Authorities) {
      keys.add(MAPPER.valueToTree(x509Jwk(cert).toJSONObject()));
    }
    for (JWK key : jwtAuthorities.values()) {
      Map<String, Object> json = new LinkedHashMap<>(key.toPublicJWK().toJSONObject());
      json.put("use", JWT_SVID_USE);
      keys.add(MAPPER.valueToTree(json));
    }
    return root.toString();
  }

  @Override
  public String toString() {
    return "SpiffeBundle[trustDomain=" + trustDomain + ", x509=" + x509Authorities.size() + ", jwt="
        + jwtAuthorities.keySet() + ", sequence=" + (sequence.isPresent()
            ? Long.toUnsignedString(sequence.getAsLong()) : "none") + ", refreshHint=" + refreshHint.orElse(null) + "]";
  }

  private static Optional<X509Certificate> x509Authority(JsonNode key, String where) throws BundleFormatException {
    // X509-SVID spec 6.1: one entry per CA certificate, no kid, x5c holding exactly that one certificate.
    if (key.has("kid")) {
      throw new BundleFormatException(where + " (x509-svid) has a 'kid' (the X509-SVID spec forbids it)");
    }
    JsonNode x5c = key.get("x5c");
    if (x5c == null || !x5c.isArray() || x5c.size() != 1) {
      throw new BundleFormatException(where + " (x509-svid) must have an 'x5c' array of exactly one certificate");
    }
    if (!x5c.get(0).isTextual() || !x5c.get(0).textValue().matches("[A-Za-z0-9+/]+={0,2}")) {
      // RFC 7517 4.7: standard base64, not base64url; a second spelling of one certificate is not accepted.
      throw new BundleFormatException(where + " (x509-svid) 'x5c' value is not standard base64");
    }
    Optional<JWK> parsed = JwkChecks.publicKey(key, where);
    if (parsed.isEmpty()) {
      return Optional.empty();
    }
    List<X509Certificate> chain = parsed.get().getParsedX509CertChain();
    if (chain == null || chain.size() != 1) {
      throw new BundleFormatException(where + " (x509-svid) 'x5c' does not hold one parseable certificate");
    }
    X509Certificate cert = chain.get(0);
    if (cert.getBasicConstraints() < 0) {
      throw new BundleFormatException(where + " (x509-svid) certificate is not a CA certificate");
    }
    // The JWK members and the certificate must describe one key, or two readers of this entry could disagree.
    PublicKey jwkKey;
    try {
      jwkKey = switch (parsed.get()) {
        case RSAKey r -> r.toPublicKey();
        case ECKey e -> e.toPublicKey();
        default -> throw new BundleFormatException(where + " (x509-svid) key type "
            + parsed.get().getKeyType() + " is not supported for CA certificates");
      };
    } catch (JOSEException e) {
      throw new BundleFormatException(where + " (x509-svid) key is not usable: " + e.getMessage());
    }
    if (!Arrays.equals(jwkKey.getEncoded(), cert.getPublicKey().getEncoded())) {
      throw new BundleFormatException(where + " (x509-svid) key does not match its certificate");
    }
    return Optional.of(cert);
  }

  private static Optional<JWK> jwtAuthority(JsonNode key, String where) throws BundleFormatException {
    JsonNode kid = key.get("kid");
    if (kid == null || !kid.isTextual() || kid.textValue().isEmpty()) {
      throw new BundleFormatException(where + " (jwt-svid) has no 'kid' (a JWT-SVID authority needs one)");
    }
    return JwkChecks.publicKey(key, where);
  }

  private static JWK x509Jwk(X509Certificate cert) {
    List<Base64> x5c;
    try {
      x5c = List.of(Base64.encode(cert.getEncoded()));
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException("certificate cannot be encoded", e);
    }
    KeyUse use = new KeyUse(X509_SVID_USE);
    if (cert.getPublicKey() instanceof RSAPublicKey rsa) {
      return new RSAKey.Builder(rsa).keyUse(use).x509CertChain(x5c).build();
    }
    if (cert.getPublicKey() instanceof ECPublicKey ec) {
      return new ECKey.Builder(Curve.forECParameterSpec(ec.getParams()), ec).keyUse(use).x509CertChain(x5c).build();
    }
    throw new IllegalStateException("x509 authority key type " + cert.getPublicKey().getAlgorithm()
        + " cannot be written as a JWK");
  }
}
