package dev.minter.attest;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSHeader;
import dev.minter.attest.AttestationResult.Rejected;
import dev.minter.attest.AttestationResult.Verified;
import dev.minter.attest.jwt.JwkSource;
import dev.minter.attest.jwt.JwksFile;
import dev.minter.attest.jwt.JwtResult;
import dev.minter.attest.jwt.JwtRules;
import dev.minter.attest.jwt.JwtVerifier;
import dev.minter.attest.jwt.UnverifiedClaims;
import dev.minter.config.ConfigLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Verifies a SPIFFE JWT-SVID (SPIFFE JWT-SVID spec): a compact JWS whose {@code sub} is the workload's SPIFFE ID,
 * sent as request evidence or as {@code authorization: Bearer <token>}.
 *
 * <p>The key is looked up by {@code kid} in the JWT bundle of <em>the trust domain named in {@code sub}</em> and
 * nowhere else, so an authority of trust domain B can never vouch for an identity in trust domain A. Everything else
 * the spec demands is enforced by {@link JwtVerifier} (asymmetric {@code alg} only, {@code exp} and {@code aud}
 * required, compact serialization only) plus the header rule of spec section 2: only {@code alg}, {@code kid} and
 * {@code typ} (JWT or JOSE) may appear.
 *
 * <p>Replay: a JWT-SVID is a bearer token its workload reuses until it expires, so it is not single-use by default;
 * {@code single_use: true} makes every token usable once (see docs/attestors/jwt_svid.md for the trade-off).
 */
public final class JwtSvidAttestor implements Attestor {
  public static final String KIND = "jwt_svid";
  private static final Set<String> ALLOWED_HEADERS = Set.of("alg", "kid", "typ");
  private static final Set<JOSEObjectType> ALLOWED_TYPES = Set.of(JOSEObjectType.JWT, JOSEObjectType.JOSE);

  private final JwtBundleSource bundles;
  private final JwtRules rules;
  private final boolean singleUse;
  private final JwtVerifier verifier;
  private final ReplayGuard replay;

  /**
   * @param bundles JWT authorities per trust domain
   * @param audience the value every token's {@code aud} must contain (Minter's name for itself)
   * @param maxTokenLifetime the longest {@code exp - iat} accepted; when set, {@code iat} is required
   * @param singleUse whether each token may be used only once
   */
  public JwtSvidAttestor(JwtBundleSource bundles, String audience, Optional<Duration> maxTokenLifetime,
      boolean singleUse, AttestorEnvironment env) {
    this.bundles = requireNonNull(bundles, "bundles");
    // Issuers are not constrained: a JWT-SVID's authority is the trust domain's key, not its iss (often absent).
    this.rules = new JwtRules(Set.of(), audience, maxTokenLifetime, maxTokenLifetime.isPresent());
    this.singleUse = singleUse;
    this.verifier = new JwtVerifier(env.clock(), env.skew());
    this.replay = env.replay();
  }

  /** Builds the attestor from its {@code attestors.jwt_svid} section. */
  public static JwtSvidAttestor create(JsonNode node, AttestorEnvironment env) throws IOException {
    Config config = ConfigLoader.convert(node, Config.class, env.baseDir());
    Map<String, JwkSource> byDomain = new LinkedHashMap<>();
    for (Map.Entry<String, Path> e : config.bundles().entrySet()) {
      byDomain.put(e.getKey(), new JwksFile(e.getValue(), env.clock(), JwksFile.DEFAULT_RECHECK));
    }
    Map<String, JwkSource> frozen = Map.copyOf(byDomain);
    // Bundles named in this section first; then the server's rotating trust_bundles (files, endpoints, Workload API).
    JwtBundleSource bundles =
        td -> frozen.containsKey(td) ? Optional.of(frozen.get(td)) : env.jwtBundles().jwtBundleFor(td);
    return new JwtSvidAttestor(bundles, config.audience(),
        Optional.ofNullable(config.maxTokenLifetime()), Boolean.TRUE.equals(config.singleUse()), env);
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public AttestationResult attest(Evidence evidence) {
    requireNonNull(evidence, "evidence");
    if (!KIND.equals(evidence.kind())) {
      return Rejected.malformed(KIND, "evidence kind " + Reasons.quote(evidence.kind()) + " is not " + KIND);
    }
    String token = new String(evidence.payload(), StandardCharsets.US_ASCII);
    Optional<String> sub = UnverifiedClaims.string(token, "sub");
    if (sub.isEmpty()) {
      // Let the verifier name what is wrong with an unreadable token; a readable one simply lacks a string sub.
      if (verifier.verify(token, rules, kid -> Optional.empty()) instanceof JwtResult.Invalid i && i.malformed()) {
        return Rejected.malformed(KIND, i.reason());
      }
      return Rejected.malformed(KIND, "JWT-SVID has no 'sub' claim (expected: the workload's SPIFFE ID)");
    }
    SpiffeId id;
    try {
      id = SpiffeId.parse(sub.get());
    } catch (IllegalArgumentException e) {
      return reject("'sub' " + Reasons.quote(sub.get()) + " is not a SPIFFE ID: " + e.getMessage());
    }
    if (id.isTrustDomainId()) {
      return reject("'sub' " + Reasons.quote(sub.get()) + " names a trust domain, not a workload");
    }
    // The key must come from the bundle of the trust domain the token claims, and from no other.
    Optional<JwkSource> bundle = bundles.jwtBundleFor(id.trustDomain());
    if (bundle.isEmpty()) {
      return reject("trust domain '" + id.trustDomain() + "' has no trusted JWT bundle");
    }
    JwtResult.Valid valid;
    switch (verifier.verify(token, rules, bundle.get())) {
      case JwtResult.Invalid invalid -> {
        return invalid.malformed() ? Rejected.malformed(KIND, invalid.reason()) : reject(invalid.reason());
      }
      case JwtResult.Valid v -> valid = v;
    }
    Optional<String> headerProblem = headerProblem(valid.header());
    if (headerProblem.isPresent()) {
      return reject(headerProblem.get());
    }
    if (!sub.get().equals(valid.claims().getSubject())) {
      return reject("verified 'sub' differs from the one the bundle was chosen by"); // cannot happen; be sure
    }
    Instant exp = valid.claims().getExpirationTime().toInstant();
    if (singleUse && !replay.firstUse(KIND, valid.tokenHash(), exp)) {
      return Rejected.replayed(KIND, "JWT-SVID for " + id + " was already used (single_use is on)");
    }
    return new Verified(new WorkloadIdentity(id.toString(), KIND, claims(valid, exp)));
  }

  /** JWT-SVID spec section 2: "Any header not described here ... MUST NOT be included"; typ is JWT or JOSE. */
  private static Optional<String> headerProblem(JWSHeader header) {
    for (String name : header.getIncludedParams()) {
      if (!ALLOWED_HEADERS.contains(name)) {
        return Optional.of("header parameter " + Reasons.quote(name) + " is not allowed in a JWT-SVID");
      }
    }
    if (header.getType() != null && !ALLOWED_TYPES.contains(header.getType())) {
      return Optional.of("header 'typ' " + Reasons.quote(header.getType().getType()) + " is not JWT or JOSE");
    }
    return Optional.empty();
  }

  private static Map<String, String> claims(JwtResult.Valid valid, Instant exp) {
    Map<String, String> claims = new LinkedHashMap<>();
    claims.put("jwt.aud", String.join(",", valid.claims().getAudience()));
    claims.put("jwt.exp", exp.toString());
    if (valid.claims().getIssuer() != null) {
      claims.put("jwt.iss", valid.claims().getIssuer());
    }
    return claims;
  }

  private static Rejected reject(String reason) {
    return new Rejected(KIND, reason);
  }

  /**
   * The {@code attestors.jwt_svid} section.
   *
   * @param audience the value every token's {@code aud} must contain (required)
   * @param bundles trust domain → SPIFFE bundle or JWKS file of its JWT authorities (required, at least one)
   * @param maxTokenLifetime the longest {@code exp - iat} accepted (optional; when set, {@code iat} is required)
   * @param singleUse make each token usable once (default false: JWT-SVIDs are reused until they expire)
   */
  public record Config(
      @JsonProperty("audience") String audience,
      @JsonProperty("bundles") Map<String, Path> bundles,
      @JsonProperty("max_token_lifetime") Duration maxTokenLifetime,
      @JsonProperty("single_use") Boolean singleUse) {
    public Config {
      if (audience == null || audience.isBlank()) {
        throw new IllegalArgumentException("audience: missing (expected: the audience workloads request tokens for)");
      }
      // Optional: without it, JWT authorities come from the server's trust_bundles section.
      bundles = bundles == null ? Map.of() : bundles;
      for (String td : bundles.keySet()) {
        if (!SpiffeId.isValidTrustDomain(td)) {
          throw new IllegalArgumentException("bundles: " + Reasons.quote(td) + " is not a SPIFFE trust domain name");
        }
      }
      bundles = Map.copyOf(bundles);
      if (maxTokenLifetime != null && (maxTokenLifetime.isZero() || maxTokenLifetime.isNegative())) {
        throw new IllegalArgumentException("max_token_lifetime: " + maxTokenLifetime + " (expected: > 0)");
      }
    }
  }
}
