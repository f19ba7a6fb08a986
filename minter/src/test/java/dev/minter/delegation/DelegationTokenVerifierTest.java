package dev.minter.delegation;

import static dev.minter.delegation.DelegationResult.Why.FOREIGN_ACTOR;
import static dev.minter.delegation.DelegationResult.Why.UNAUTHENTICATED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import dev.minter.attest.InMemoryReplayGuard;
import dev.minter.attest.TestClock;
import dev.minter.attest.jwt.FixedJwkSource;
import dev.minter.attest.jwt.TestJwts;
import dev.minter.policy.Glob;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Delegation tokens signed at runtime by a test issuer, through the production verifier: what a genuine token
 * delegates, and every way a token is refused (with the status class the caller will see and a reason that never
 * quotes the token).
 */
class DelegationTokenVerifierTest {
  static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
  static final Duration SKEW = Duration.ofSeconds(30);
  static final String ISS = "https://idp.corp.example";
  static final String AGENT = "spiffe://minter.local/agents/research-bot";
  static final String OTHER_AGENT = "spiffe://minter.local/agents/other-bot";
  static final ECKey IDP = TestJwts.ec("idp-2026", Curve.P_256);
  static final ECKey FORGER = TestJwts.ec("idp-2026", Curve.P_256); // same kid, different key
  static final ECKey OTHER_IDP = TestJwts.ec("other-2026", Curve.P_256);

  final TestClock clock = new TestClock(NOW);
  final DelegationTokenVerifier verifier =
      new DelegationTokenVerifier(
          Map.of(ISS, new FixedJwkSource(new JWKSet(IDP.toPublicJWK())),
              "https://other.example", new FixedJwkSource(new JWKSet(OTHER_IDP.toPublicJWK()))),
          "minter",
          Duration.ofHours(1),
          clock,
          SKEW,
          new InMemoryReplayGuard(clock, 1000));

  /** A genuine token: alice delegates analytics-ro for report:* to the research bot, for 10 minutes. */
  static TestJwts.Builder token() {
    return new TestJwts.Builder(IDP, "ES256")
        .claim("iss", ISS)
        .claim("aud", "minter")
        .claim("sub", "alice@corp.example")
        .claim("act", Map.of("sub", AGENT))
        .claim("scope", "role:analytics-ro purpose:report:*")
        .claim("iat", NOW.minusSeconds(60))
        .claim("exp", NOW.plusSeconds(600));
  }

  @Test
  void verify_genuineToken_acceptedWithDelegatorAndScope() {
    DelegationResult result = verifier.verify(token().claim("may_act", Map.of("sub", AGENT)).build(), AGENT);

    assertThat(result).isInstanceOfSatisfying(DelegationResult.Accepted.class, a -> {
      assertThat(a.delegator()).isEqualTo("alice@corp.example");
      assertThat(a.issuer()).isEqualTo(ISS);
      assertThat(a.actor()).isEqualTo(AGENT);
      assertThat(a.expiresAt()).isEqualTo(NOW.plusSeconds(600));
      assertThat(a.scope().roles()).containsExactly("analytics-ro");
      assertThat(a.scope().purposes()).containsExactly(Glob.compile("report:*"));
      assertThat(a.scope().allowsPurpose("report:q3")).isTrue();
      assertThat(a.scope().allowsPurpose("export:all")).isFalse();
      assertThat(a.scope().maxTtl()).contains(Duration.ofSeconds(600)); // exp - now: no max_ttl claim
    });
  }

  @Test
  void verify_scopeWithSeveralRolesAndPurposes_extractsThemAll() {
    String token = token().claim("scope", "role:a  role:b purpose:demo purpose:report:** role:a").build();

    assertThat(verifier.verify(token, AGENT)).isInstanceOfSatisfying(DelegationResult.Accepted.class, a -> {
      assertThat(a.scope().roles()).containsExactlyInAnyOrder("a", "b");
      assertThat(a.scope().purposes()).containsExactly(Glob.compile("demo"), Glob.compile("report:**"));
    });
  }

  @Test
  void verify_maxTtlShorterThanRemainingLifetime_narrowsTheScopeTtl() {
    String token = token().claim("max_ttl", 120).build();

    assertThat(verifier.verify(token, AGENT)).isInstanceOfSatisfying(DelegationResult.Accepted.class,
        a -> assertThat(a.scope().maxTtl()).contains(Duration.ofSeconds(120)));
  }

  @Test
  void verify_maxTtlLongerThanRemainingLifetime_scopeTtlIsTheRemainingLifetime() {
    String token = token().claim("max_ttl", 7200).build();
    clock.advance(Duration.ofSeconds(100));

    assertThat(verifier.verify(token, AGENT)).isInstanceOfSatisfying(DelegationResult.Accepted.class,
        a -> assertThat(a.scope().maxTtl()).contains(Duration.ofSeconds(500)));
  }

  @Test
  void verify_sameTokenTwice_secondUseRefusedAsReplayed() {
    String token = token().build();

    assertThat(verifier.verify(token, AGENT)).isInstanceOf(DelegationResult.Accepted.class);
    assertThat(verifier.verify(token, AGENT)).isEqualTo(new DelegationResult.Refused(UNAUTHENTICATED,
        "delegation token from 'alice@corp.example' was already used (delegation tokens are single-use: ask"
            + " 'https://idp.corp.example' for a fresh one)"));
  }

  @Test
  void verify_reencodedSignature_stillRefusedAsReplayed() {
    String token = token().build();
    // ECDSA (r, s) and (r, n - s) both verify: a replay keyed on the whole token would miss this copy.
    String malleated = negateEcdsaS(token);

    assertThat(malleated).isNotEqualTo(token);
    assertThat(verifier.verify(token, AGENT)).isInstanceOf(DelegationResult.Accepted.class);
    assertThat(verifier.verify(malleated, AGENT))
        .isInstanceOfSatisfying(DelegationResult.Refused.class, r -> assertThat(r.reason()).contains("already used"));
  }

  @Test
  void verify_tokenFirstPresentedByAnotherAgent_isNotSpentForItsActor() {
    String token = token().build();

    assertThat(verifier.verify(token, OTHER_AGENT)).isInstanceOf(DelegationResult.Refused.class);
    assertThat(verifier.verify(token, AGENT)).isInstanceOf(DelegationResult.Accepted.class);
  }

  record Refusal(Function<TestJwts.Builder, String> token, DelegationResult.Why why, String reason) {}

  static Arguments refusal(String name, Function<TestJwts.Builder, String> token, DelegationResult.Why why,
      String reason) {
    return arguments(Named.of(name, new Refusal(token, why, reason)));
  }

  static Stream<Arguments> refusals() {
    byte[] secret = "a-shared-secret-of-32-bytes!!!!!".getBytes(StandardCharsets.UTF_8);
    return Stream.of(
        refusal("wrong actor", b -> b.claim("act", Map.of("sub", OTHER_AGENT)).build(), FOREIGN_ACTOR,
            "was issued to agent 'spiffe://minter.local/agents/other-bot', not to the caller " + AGENT),
        refusal("may_act names another agent", b -> b.claim("may_act", Map.of("sub", OTHER_AGENT)).build(),
            FOREIGN_ACTOR, "allows only 'spiffe://minter.local/agents/other-bot' to act (may_act)"),
        refusal("expired", b -> b.claim("iat", NOW.minusSeconds(900)).claim("exp", NOW.minusSeconds(60)).build(),
            UNAUTHENTICATED, "token expired at 2026-12-01T09:59:00Z"),
        refusal("expired, within clock skew", b -> b.claim("exp", NOW.minusSeconds(5)).build(), UNAUTHENTICATED,
            "expired at 2026-12-01T09:59:55Z"),
        refusal("nbf in the future", b -> b.claim("nbf", NOW.plusSeconds(300)).build(), UNAUTHENTICATED,
            "not valid before 2026-12-01T10:05:00Z"),
        refusal("lifetime too long", b -> b.claim("exp", NOW.plus(Duration.ofHours(2))).build(), UNAUTHENTICATED,
            "token lifetime exceeds PT1H"),
        refusal("untrusted issuer", b -> b.claim("iss", "https://evil.example").build(), UNAUTHENTICATED,
            "issuer 'https://evil.example' is not trusted"),
        refusal("another trusted issuer's iss, signed by this one's key",
            b -> b.claim("iss", "https://other.example").build(), UNAUTHENTICATED, "no trusted key with kid"),
        refusal("wrong audience", b -> b.claim("aud", "vault").build(), UNAUTHENTICATED,
            "audience [vault] does not contain 'minter'"),
        refusal("unknown kid", b -> b.header("kid", "rotated-away").build(), UNAUTHENTICATED,
            "no trusted key with kid 'rotated-away'"),
        refusal("alg none", b -> b.header("alg", "none").signAlg("ES256").build(),
            UNAUTHENTICATED, "algorithm 'none' is not accepted"),
        refusal("HS256 keyed with a shared secret",
            b -> TestJwts.hmac(b.header("alg", "HS256").headerJson(), b.payloadJson(), secret), UNAUTHENTICATED,
            "algorithm 'HS256' is not accepted"),
        refusal("signed by another key under the trusted kid", b -> b.signWith(FORGER).build(), UNAUTHENTICATED,
            "signature does not verify"),
        refusal("payload altered after signing", b -> alterPayload(b.build()), UNAUTHENTICATED,
            "signature does not verify"),
        refusal("missing sub", b -> b.claim("sub", null).build(), UNAUTHENTICATED, "missing 'sub' claim"),
        refusal("sub not a string", b -> b.claim("sub", 42).build(), UNAUTHENTICATED, "missing 'sub' claim"),
        refusal("missing act", b -> b.claim("act", null).build(), UNAUTHENTICATED, "missing 'act' claim"),
        refusal("act is a string", b -> b.claim("act", AGENT).build(), UNAUTHENTICATED,
            "'act' must be an object with a string 'sub'"),
        refusal("nested act", b -> b.claim("act", Map.of("sub", AGENT, "act", Map.of("sub", OTHER_AGENT))).build(),
            UNAUTHENTICATED, "'act' has a nested 'act'"),
        refusal("missing scope", b -> b.claim("scope", null).build(), UNAUTHENTICATED, "missing 'scope' claim"),
        refusal("scope as a list", b -> b.claim("scope", List.of("role:analytics-ro")).build(), UNAUTHENTICATED,
            "missing 'scope' claim"),
        refusal("missing exp", b -> b.claim("exp", null).build(), UNAUTHENTICATED, "missing 'exp' claim"),
        refusal("missing iat", b -> b.claim("iat", null).build(), UNAUTHENTICATED, "missing 'iat' claim"),
        refusal("scope with an unknown entry", b -> b.claim("scope", "role:a purpose:b admin").build(),
            UNAUTHENTICATED, "'scope' entry 'admin' is not role:<name> or purpose:<glob>"),
        refusal("scope with an empty role", b -> b.claim("scope", "role: purpose:b").build(), UNAUTHENTICATED,
            "'scope' entry 'role:' is not role:<name> or purpose:<glob>"),
        refusal("scope without a purpose", b -> b.claim("scope", "role:a role:b").build(), UNAUTHENTICATED,
            "'scope' must name at least one role:<name> and one purpose:<glob>"),
        refusal("scope without a role", b -> b.claim("scope", "purpose:report:*").build(), UNAUTHENTICATED,
            "'scope' must name at least one role:<name> and one purpose:<glob>"),
        refusal("blank scope", b -> b.claim("scope", "  ").build(), UNAUTHENTICATED, "'scope' is empty"),
        refusal("max_ttl zero", b -> b.claim("max_ttl", 0).build(), UNAUTHENTICATED,
            "'max_ttl' must be a positive whole number of seconds"),
        refusal("max_ttl as a string", b -> b.claim("max_ttl", "600").build(), UNAUTHENTICATED,
            "'max_ttl' must be a positive whole number of seconds"),
        refusal("max_ttl fractional", b -> b.claim("max_ttl", 1.5).build(), UNAUTHENTICATED,
            "'max_ttl' must be a positive whole number of seconds"),
        refusal("duplicate claim", b -> b.buildRawPayload(b.payloadJson().replace("{", "{\"sub\":\"mallory\",")),
            UNAUTHENTICATED, "delegation token is malformed"),
        refusal("not a JWT", b -> "not-a-token", UNAUTHENTICATED, "is malformed"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusals")
  void verify_badToken_refusedWithStatusClassAndReason(Refusal refusal) {
    String token = refusal.token().apply(token());

    DelegationResult result = verifier.verify(token, AGENT);

    assertThat(result).isInstanceOfSatisfying(DelegationResult.Refused.class, r -> {
      assertThat(r.why()).isEqualTo(refusal.why());
      assertThat(r.reason()).contains(refusal.reason());
      // The reason goes to the caller and the audit log: it must never carry the bearer token or a part of it.
      for (String part : token.split("\\.")) {
        if (part.length() > 8) {
          assertThat(r.reason()).doesNotContain(part);
        }
      }
    });
  }

  /** The same token with its P-256 signature (r, s) re-encoded as (r, n - s), which verifies just as well. */
  private static String negateEcdsaS(String token) {
    String[] parts = token.split("\\.");
    byte[] sig = java.util.Base64.getUrlDecoder().decode(parts[2]);
    java.math.BigInteger n = Curve.P_256.toECParameterSpec().getOrder();
    java.math.BigInteger s = new java.math.BigInteger(1, java.util.Arrays.copyOfRange(sig, 32, 64));
    byte[] negated = n.subtract(s).toByteArray();
    byte[] out = java.util.Arrays.copyOf(sig, 64);
    java.util.Arrays.fill(out, 32, 64, (byte) 0);
    int len = Math.min(negated.length, 32);
    System.arraycopy(negated, negated.length - len, out, 64 - len, len);
    return parts[0] + "." + parts[1] + "." + TestJwts.b64(out);
  }

  private static String alterPayload(String token) {
    String[] parts = token.split("\\.");
    String payload = new String(java.util.Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
        .replace("role:analytics-ro", "role:admin-rw");
    return parts[0] + "." + TestJwts.b64(payload) + "." + parts[2];
  }
}
