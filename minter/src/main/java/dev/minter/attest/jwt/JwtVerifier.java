package dev.minter.attest.jwt;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Verifies compact JWS tokens for every JWT-based attestor (JWT-SVID, GCP, Kubernetes, OIDC) with one strict set of
 * rules, so no attestor can forget one:
 *
 * <ul>
 *   <li>Only asymmetric algorithms (RS*, PS*, ES*). Never {@code none}, never HS* — an HMAC "verified" with a public
 *       key as the secret is the classic algorithm-confusion forgery.
 *   <li>The key comes only from the configured {@link JwkSource}, by {@code kid}. Keys or key locations carried by
 *       the token itself ({@code jwk}, {@code jku}, {@code x5u}, {@code x5c}) are refused outright: a token may not
 *       vouch for itself. The key's type and curve must match the algorithm; RSA keys are at least 2048 bits.
 *   <li>Compact JWS only: JWE (five parts), JSON serialization, {@code crit} and unencoded payloads are refused.
 *   <li>Header and payload are parsed strictly first: duplicate keys (which parsers resolve differently) and deep
 *       nesting are refused.
 *   <li>{@code exp} is required; {@code nbf} and {@code iat} are honoured with the configured skew; {@code aud} must
 *       contain Minter's audience; {@code iss} must be an accepted issuer.
 * </ul>
 */
public final class JwtVerifier {
  /** Far above any legitimate identity token; bounds parsing work. */
  public static final int MAX_TOKEN_LENGTH = 16 * 1024;

  static final Set<JWSAlgorithm> ALLOWED =
      Set.of(
          JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
          JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
          JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);
  private static final Set<String> SELF_VOUCHING = Set.of("jwk", "jku", "x5u", "x5c");
  private static final ObjectMapper STRICT =
      new ObjectMapper(
          JsonFactory.builder()
              .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
              .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).build())
              .build());

  private final Clock clock;
  private final Duration skew;

  public JwtVerifier(Clock clock, Duration skew) {
    this.clock = clock;
    this.skew = skew;
  }

  /** Verifies {@code token} against {@code rules} with keys from {@code keys}. Never throws for a bad token. */
  public JwtResult verify(String token, JwtRules rules, JwkSource keys) {
    if (token == null || token.isBlank()) {
      return malformed("empty token");
    }
    if (token.length() > MAX_TOKEN_LENGTH) {
      return malformed("token is " + token.length() + " characters (expected: <= " + MAX_TOKEN_LENGTH + ")");
    }
    if (!token.matches("[A-Za-z0-9_\\-.]+")) {
      return malformed("not a compact JWS (characters outside base64url and '.')");
    }
    String[] parts = token.split("\\.", -1);
    if (parts.length == 5) {
      return malformed("encrypted tokens (JWE) are not accepted");
    }
    if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty() || parts[2].isEmpty()) {
      return malformed("not a compact JWS (expected three non-empty parts)");
    }
    JsonNode header;
    try {
      header = strictJson(parts[0], "header");
      strictJson(parts[1], "payload");
    } catch (IllegalArgumentException e) {
      return malformed(e.getMessage());
    }
    String alg = header.path("alg").asText("");
    if (!ALLOWED.contains(JWSAlgorithm.parse(alg))) {
      return new JwtResult.Invalid("algorithm '" + printable(alg) + "' is not accepted (expected one of RS*, PS*, ES*)", false);
    }
    for (String name : SELF_VOUCHING) {
      if (header.has(name)) {
        return new JwtResult.Invalid("header parameter '" + name + "' is not accepted (keys come only from trust configuration)", false);
      }
    }
    if (header.has("crit") || header.has("b64")) {
      return new JwtResult.Invalid("critical header parameters are not supported", false);
    }
    String kid = header.path("kid").asText("");
    if (kid.isEmpty()) {
      return malformed("header has no 'kid'");
    }

    SignedJWT jwt;
    JWTClaimsSet claims;
    try {
      jwt = SignedJWT.parse(token);
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      return malformed("not a valid JWT: " + printable(e.getMessage()));
    }
    JWK key = keys.find(kid).orElse(null);
    if (key == null) {
      return new JwtResult.Invalid("no trusted key with kid '" + printable(kid) + "'", false);
    }
    String keyProblem = keyProblem(key, jwt.getHeader().getAlgorithm());
    if (keyProblem != null) {
      return new JwtResult.Invalid(keyProblem, false);
    }
    try {
      if (!jwt.verify(verifier(key))) {
        return new JwtResult.Invalid("signature does not verify", false);
      }
    } catch (JOSEException | IllegalStateException e) {
      return new JwtResult.Invalid("signature does not verify: " + printable(e.getMessage()), false);
    }
    String claimProblem = claimProblem(claims, rules);
    if (claimProblem != null) {
      return new JwtResult.Invalid(claimProblem, claimProblem.startsWith("missing"));
    }
    // Hash the signing input, not the token: a signature can be re-encoded (spare base64url bits, ECDSA (r, n-s))
    // into a different string that still verifies, which would slip past a one-time-use check keyed on the token.
    return new JwtResult.Valid(jwt.getHeader(), claims, sha256(parts[0] + "." + parts[1]));
  }

  private String claimProblem(JWTClaimsSet claims, JwtRules rules) {
    Instant now = clock.instant();
    Date exp = claims.getExpirationTime();
    if (exp == null) {
      return "missing 'exp' claim";
    }
    if (!exp.toInstant().plus(skew).isAfter(now)) {
      return "token expired at " + exp.toInstant();
    }
    Date nbf = claims.getNotBeforeTime();
    if (nbf != null && nbf.toInstant().minus(skew).isAfter(now)) {
      return "token not valid before " + nbf.toInstant();
    }
    Date iat = claims.getIssueTime();
    if (iat == null && rules.requireIat()) {
      return "missing 'iat' claim";
    }
    if (iat == null && rules.maxLifetime().isPresent()) {
      // Without iat the lifetime cap could not be checked: omitting a claim must never lift a limit.
      return "missing 'iat' claim (needed to check the token lifetime)";
    }
    if (iat != null && iat.toInstant().minus(skew).isAfter(now)) {
      return "token issued in the future (" + iat.toInstant() + ")";
    }
    if (rules.maxLifetime().isPresent()
        && Duration.between(iat.toInstant(), exp.toInstant()).compareTo(rules.maxLifetime().get()) > 0) {
      return "token lifetime exceeds " + rules.maxLifetime().get();
    }
    if (!rules.issuers().isEmpty()) {
      String iss = claims.getIssuer();
      if (iss == null) {
        return "missing 'iss' claim";
      }
      if (!rules.issuers().contains(iss)) {
        return "issuer '" + printable(iss) + "' is not trusted";
      }
    }
    List<String> aud = claims.getAudience();
    if (aud == null || aud.isEmpty()) {
      return "missing 'aud' claim";
    }
    if (!aud.contains(rules.audience())) {
      return "audience " + printable(aud.toString()) + " does not contain '" + rules.audience() + "'";
    }
    return null;
  }

  /** Why {@code key} may not verify {@code alg}, or null when it may. */
  private static String keyProblem(JWK key, JWSAlgorithm alg) {
    if (key.isPrivate()) {
      return "trusted key '" + key.getKeyID() + "' is a private key (misconfiguration)";
    }
    if (key.getKeyUse() != null && !KeyUse.SIGNATURE.equals(key.getKeyUse())) {
      return "key '" + key.getKeyID() + "' is not for signatures";
    }
    if (key.getAlgorithm() != null && !key.getAlgorithm().getName().equals(alg.getName())) {
      return "key '" + key.getKeyID() + "' is for " + key.getAlgorithm() + ", not " + alg;
    }
    if (JWSAlgorithm.Family.RSA.contains(alg)) {
      if (!(key instanceof RSAKey rsa)) {
        return "algorithm " + alg + " needs an RSA key";
      }
      return rsa.size() < 2048 ? "RSA key '" + key.getKeyID() + "' is shorter than 2048 bits" : null;
    }
    if (JWSAlgorithm.Family.EC.contains(alg)) {
      if (!(key instanceof ECKey ec)) {
        return "algorithm " + alg + " needs an EC key";
      }
      Set<Curve> curves = Curve.forJWSAlgorithm(alg);
      return curves != null && curves.contains(ec.getCurve()) ? null : "EC key curve does not match " + alg;
    }
    return "algorithm " + alg + " is not accepted";
  }

  private static JWSVerifier verifier(JWK key) throws JOSEException {
    return key instanceof RSAKey rsa ? new RSASSAVerifier(rsa) : new ECDSAVerifier((ECKey) key);
  }

  static JsonNode strictJson(String part, String what) {
    byte[] json;
    try {
      json = Base64.getUrlDecoder().decode(part);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + " is not base64url");
    }
    try (JsonParser parser = STRICT.createParser(json)) {
      JsonNode node = STRICT.readTree(parser);
      if (node == null || !node.isObject()) {
        throw new IllegalArgumentException(what + " is not a JSON object");
      }
      if (parser.nextToken() != null) {
        throw new IllegalArgumentException(what + " has trailing data");
      }
      return node;
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(what + " is not strict JSON (" + firstLine(e.getMessage()) + ")");
    }
  }

  private static JwtResult malformed(String reason) {
    return new JwtResult.Invalid(reason, true);
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unreadable";
    }
    String line = s.lines().findFirst().orElse(s);
    return printable(line);
  }

  /** Caller-controlled text in a reason: bounded and printable ASCII only. */
  static String printable(String s) {
    if (s == null) {
      return "";
    }
    String cut = s.length() > 100 ? s.substring(0, 100) + "..." : s;
    return cut.replaceAll("[^\\x20-\\x7e]", "?");
  }

  private static String sha256(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
