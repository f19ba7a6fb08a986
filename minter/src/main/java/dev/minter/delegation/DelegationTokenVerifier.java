package dev.minter.delegation;

import static dev.minter.delegation.DelegationResult.Why.FOREIGN_ACTOR;
import static dev.minter.delegation.DelegationResult.Why.UNAUTHENTICATED;
import static java.util.Objects.requireNonNull;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.minter.attest.Reasons;
import dev.minter.attest.ReplayGuard;
import dev.minter.attest.bundle.RefreshOptions;
import dev.minter.attest.bundle.RefreshingJwkSource;
import dev.minter.attest.bundle.StaticJwkSource;
import dev.minter.attest.jwt.JwkSource;
import dev.minter.attest.jwt.JwtResult;
import dev.minter.attest.jwt.JwtRules;
import dev.minter.attest.jwt.JwtVerifier;
import dev.minter.attest.jwt.UnverifiedClaims;
import dev.minter.attest.oidc.Tokens;
import dev.minter.policy.DelegationView;
import dev.minter.tls.TrustStores;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Verifies human → agent delegation tokens (RFC 8693 shape, see docs/delegation-tokens.md): a JWT in which a
 * trusted issuer says that {@code sub} (a person or system) lets the agent {@code act.sub} act for them within
 * {@code scope}.
 *
 * <p>Signature, algorithm, key, issuer, audience, {@code exp}/{@code nbf}/{@code iat} and the lifetime cap are
 * checked by the one strict {@link JwtVerifier} with the keys of exactly the issuer the token names, so one issuer
 * can never vouch for another's people. Then:
 *
 * <ul>
 *   <li>{@code act.sub} must be exactly the attested caller (and {@code may_act.sub} too, when present): a token a
 *       person issued to one agent is worthless to any other agent that obtains it. A nested {@code act} (a chain
 *       of prior actors) is refused: Minter records agent → agent hops itself, through Delegate.
 *   <li>{@code scope} must parse completely ({@link DelegatedScope}), and {@code max_ttl}, when present, must be a
 *       positive whole number of seconds.
 *   <li>Each token is single-use: the hash of its signing input goes to the shared {@link ReplayGuard} until
 *       {@code exp}. A delegation token is a bearer credential that passes through a person's browser, chat or
 *       ticket system on its way to the agent; one use bounds what a copy left behind is worth. The token is
 *       spent only once it is genuine and the caller is its actor, so another agent presenting a stolen copy
 *       cannot burn it for its rightful holder.
 * </ul>
 *
 * <p>Reasons name the problem and the claim values a person can act on; they never contain the token.
 */
public final class DelegationTokenVerifier {
  /** The replay guard's kind for delegation tokens (keys never collide with attestation evidence). */
  public static final String REPLAY_KIND = "delegation-token";
  /** Longest {@code sub} accepted: it goes into every audit record of the task. */
  public static final int MAX_SUBJECT_LENGTH = 256;

  private final Map<String, JwkSource> issuers;
  private final String audience;
  private final Duration maxLifetime;
  private final JwtVerifier jwt;
  private final Clock clock;
  private final Duration skew;
  private final ReplayGuard replay;

  /**
   * @param issuers each trusted {@code iss} with the keys that verify its tokens
   * @param audience what {@code aud} must contain
   * @param maxLifetime the longest {@code exp - iat}
   */
  public DelegationTokenVerifier(
      Map<String, JwkSource> issuers,
      String audience,
      Duration maxLifetime,
      Clock clock,
      Duration skew,
      ReplayGuard replay) {
    this.issuers = Map.copyOf(requireNonNull(issuers, "issuers"));
    if (this.issuers.isEmpty()) {
      throw new IllegalArgumentException("issuers: empty (expected: at least one trusted issuer)");
    }
    this.audience = requireNonNull(audience, "audience");
    this.maxLifetime = requireNonNull(maxLifetime, "maxLifetime");
    this.clock = requireNonNull(clock, "clock");
    this.skew = requireNonNull(skew, "skew");
    this.replay = requireNonNull(replay, "replay");
    this.jwt = new JwtVerifier(clock, skew);
  }

  /**
   * Builds the verifier {@code config} describes, with each issuer's keys from its file, JWKS URL or discovery.
   *
   * @param http the shared client for JWKS URLs and discovery (an issuer with a {@code ca_file} gets its own)
   * @throws IOException when a key file or CA file cannot be read
   * @throws IllegalArgumentException naming the issuer whose settings are unusable
   */
  public static DelegationTokenVerifier create(
      DelegationConfig config, HttpClient http, Clock clock, Duration skew, ReplayGuard replay)
      throws IOException, GeneralSecurityException {
    Map<String, JwkSource> keys = new LinkedHashMap<>();
    for (DelegationIssuerConfig issuer : config.issuers()) {
      keys.put(issuer.issuer(), keysOf(issuer, http, clock));
    }
    return new DelegationTokenVerifier(keys, config.audience(), config.maxTokenLifetime(), clock, skew, replay);
  }

  private static JwkSource keysOf(DelegationIssuerConfig issuer, HttpClient shared, Clock clock)
      throws IOException, GeneralSecurityException {
    try {
      if (issuer.jwksFile() != null) {
        return StaticJwkSource.fromFile(issuer.jwksFile(), clock);
      }
      HttpClient http = issuer.caFile() == null
          ? shared
          : HttpClient.newBuilder()
              .connectTimeout(Duration.ofSeconds(5))
              .sslContext(TrustStores.trusting(issuer.caFile()))
              .build();
      return issuer.discovery()
          ? RefreshingJwkSource.forIssuerDiscovery(URI.create(issuer.issuer()), http, clock, RefreshOptions.defaults())
          : RefreshingJwkSource.forJwksUri(issuer.jwksUri(), http, clock, RefreshOptions.defaults());
    } catch (IllegalArgumentException | IOException e) {
      throw new IllegalArgumentException("delegation.issuers['" + issuer.issuer() + "']: " + e.getMessage(), e);
    }
  }

  /** Verifies {@code token} for the attested caller {@code callerId}. Never throws for a bad token. */
  public DelegationResult verify(String token, String callerId) {
    requireNonNull(callerId, "callerId");
    if (token == null || token.isBlank()) {
      return unauthenticated("delegation token is empty");
    }
    token = token.strip();
    Optional<String> iss = Tokens.peekIssuer(token);
    if (iss.isEmpty()) {
      return unauthenticated("delegation token is malformed: not a compact JWS whose payload has a string 'iss'");
    }
    JwkSource keys = issuers.get(iss.get());
    if (keys == null) {
      return unauthenticated("delegation token issuer " + Reasons.quote(iss.get()) + " is not trusted (trusted: "
          + issuers.keySet().stream().sorted().toList() + ")");
    }
    JwtRules rules = new JwtRules(Set.of(iss.get()), audience, Optional.of(maxLifetime), true);
    JwtResult.Valid valid;
    switch (jwt.verify(token, rules, keys)) {
      case JwtResult.Invalid invalid -> {
        return unauthenticated("delegation token from " + Reasons.quote(iss.get()) + " is "
            + (invalid.malformed() ? "malformed: " : "not valid: ") + invalid.reason());
      }
      case JwtResult.Valid v -> valid = v;
    }
    return checkClaims(token, valid, iss.get(), callerId);
  }

  private DelegationResult checkClaims(String token, JwtResult.Valid valid, String issuer, String callerId) {
    JWTClaimsSet claims = valid.claims();
    Instant now = clock.instant();
    Instant exp = claims.getExpirationTime().toInstant();
    String delegator;
    String actor;
    DelegatedScope.Parsed scope;
    Optional<Duration> maxTtlClaim;
    try {
      delegator = subject(token, claims);
      actor = actor(claims.getClaim("act"), "act").orElseThrow(
          () -> new IllegalArgumentException("missing 'act' claim (expected: {\"sub\": <agent identity>})"));
      Optional<String> mayAct = actor(claims.getClaim("may_act"), "may_act");
      if (!(claims.getClaim("scope") instanceof String s)) {
        throw new IllegalArgumentException("missing 'scope' claim (expected: a string of role:<name> and"
            + " purpose:<glob> entries)");
      }
      scope = DelegatedScope.parse(s);
      maxTtlClaim = maxTtl(claims.getClaim("max_ttl"));
      if (!actor.equals(callerId)) {
        return new DelegationResult.Refused(FOREIGN_ACTOR, "delegation token from " + Reasons.quote(delegator)
            + " was issued to agent " + Reasons.quote(actor) + ", not to the caller " + callerId);
      }
      if (mayAct.isPresent() && !mayAct.get().equals(callerId)) {
        return new DelegationResult.Refused(FOREIGN_ACTOR, "delegation token from " + Reasons.quote(delegator)
            + " allows only " + Reasons.quote(mayAct.get()) + " to act (may_act), not the caller " + callerId);
      }
    } catch (IllegalArgumentException e) {
      return unauthenticated("delegation token from " + Reasons.quote(issuer) + " is malformed: " + e.getMessage());
    }
    // Time left to hand on: a token valid only by the clock-skew allowance delegates nothing.
    Duration remaining = Duration.between(now, exp);
    if (remaining.toSeconds() < 1) {
      return unauthenticated("delegation token from " + Reasons.quote(issuer) + " expired at " + exp);
    }
    // Spent last, after every check: a token refused above stays usable by its rightful actor.
    if (!replay.firstUse(REPLAY_KIND, valid.tokenHash(), exp.plus(skew))) {
      return unauthenticated("delegation token from " + Reasons.quote(delegator) + " was already used (delegation"
          + " tokens are single-use: ask " + Reasons.quote(issuer) + " for a fresh one)");
    }
    Duration maxTtl = maxTtlClaim.filter(m -> m.compareTo(remaining) < 0).orElse(remaining);
    return new DelegationResult.Accepted(
        delegator,
        issuer,
        actor,
        new DelegationView.Scope(scope.roles(), scope.purposes(), Optional.of(Duration.ofSeconds(maxTtl.toSeconds()))),
        exp);
  }

  private static String subject(String token, JWTClaimsSet claims) {
    // The claims parser turns a numeric sub into a string; read the signed payload to insist on a JSON string, so
    // the delegator in the audit log is exactly what the issuer wrote.
    if (!(claims.getClaim("sub") instanceof String sub) || sub.isBlank()
        || UnverifiedClaims.string(token, "sub").isEmpty()) {
      throw new IllegalArgumentException("missing 'sub' claim (expected: who delegates)");
    }
    if (sub.length() > MAX_SUBJECT_LENGTH || !sub.matches("[\\x20-\\x7e]+")) {
      throw new IllegalArgumentException("'sub' must be printable ASCII of at most " + MAX_SUBJECT_LENGTH
          + " characters");
    }
    return sub;
  }

  /** The {@code sub} of an RFC 8693 actor claim ({@code act} or {@code may_act}); empty when the claim is absent. */
  private static Optional<String> actor(Object claim, String name) {
    if (claim == null) {
      return Optional.empty();
    }
    if (!(claim instanceof Map<?, ?> object) || !(object.get("sub") instanceof String sub) || sub.isEmpty()) {
      throw new IllegalArgumentException("'" + name + "' must be an object with a string 'sub'");
    }
    if (object.containsKey("act")) {
      throw new IllegalArgumentException("'" + name + "' has a nested 'act' (chains of prior actors are not"
          + " accepted; agents hand work on with Delegate)");
    }
    return Optional.of(sub);
  }

  private static Optional<Duration> maxTtl(Object claim) {
    if (claim == null) {
      return Optional.empty();
    }
    if (!(claim instanceof Number n) || n instanceof Double || n instanceof Float || n.longValue() < 1) {
      throw new IllegalArgumentException("'max_ttl' must be a positive whole number of seconds");
    }
    return Optional.of(Duration.ofSeconds(n.longValue()));
  }

  private static DelegationResult unauthenticated(String reason) {
    return new DelegationResult.Refused(UNAUTHENTICATED, reason);
  }
}
