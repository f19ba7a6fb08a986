package dev.minter.attest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import dev.minter.attest.AttestationResult.Failure;
import dev.minter.attest.AttestationResult.Rejected;
import dev.minter.attest.AttestationResult.Verified;
import dev.minter.attest.jwt.FixedJwkSource;
import dev.minter.attest.jwt.JwkSource;
import dev.minter.attest.jwt.TestJwts;
import dev.minter.tls.CertifiedKey;
import dev.minter.tls.DevCa;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** JWT-SVIDs per the SPIFFE JWT-SVID spec, signed with runtime keys, through the production verifier. */
class JwtSvidAttestorTest {
  private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
  private static final String AUD = "minter";
  private static final String AGENT = "spiffe://corp.example/agents/research-bot";
  private static final String PARTNER_AGENT = "spiffe://partner.example/agents/bot";

  static final RSAKey CORP_RSA = TestJwts.rsa("corp-rsa");
  static final ECKey CORP_EC = TestJwts.ec("corp-ec", Curve.P_256);
  static final ECKey PARTNER_EC = TestJwts.ec("partner-ec", Curve.P_256);
  static final ECKey IMPOSTOR_EC = TestJwts.ec("corp-ec", Curve.P_256); // same kid as CORP_EC, not trusted
  static final DevCa CORP_CA = DevCa.create("corp.example", Duration.ofDays(1), java.time.Clock.fixed(NOW,
      java.time.ZoneOffset.UTC));

  @TempDir Path dir;
  private final TestClock clock = new TestClock(NOW);

  static final Map<String, JwkSource> BUNDLES = Map.of(
      "corp.example", new FixedJwkSource(new JWKSet(List.of(CORP_RSA.toPublicJWK(), CORP_EC.toPublicJWK()))),
      "partner.example", new FixedJwkSource(new JWKSet(PARTNER_EC.toPublicJWK())));

  private JwtSvidAttestor attestor(Optional<Duration> maxLifetime, boolean singleUse) {
    return new JwtSvidAttestor(td -> Optional.ofNullable(BUNDLES.get(td)), AUD, maxLifetime, singleUse,
        TestEnvironments.of(clock, dir));
  }

  /** A JWT-SVID as SPIRE issues it: header alg/kid/typ, claims sub/aud/exp/iat. */
  static TestJwts.Builder svid(JWK key, String alg) {
    return new TestJwts.Builder(key, alg)
        .claim("sub", AGENT)
        .claim("aud", List.of(AUD))
        .claim("iat", NOW.minusSeconds(30))
        .claim("exp", NOW.plusSeconds(270));
  }

  static TestJwts.Builder es256() {
    return svid(CORP_EC, "ES256");
  }

  static Stream<Arguments> invalidSvids() {
    return Stream.of(
        // --- who signed it
        untrusted("wrong signer (trusted kid, untrusted key)", () -> es256().signWith(IMPOSTOR_EC).build(),
            "signature does not verify"),
        untrusted("other trust domain's key (partner key signs a corp identity)", () -> svid(PARTNER_EC, "ES256")
            .build(), "no trusted key with kid 'partner-ec'"),
        untrusted("our key signs a partner identity", () -> es256().claim("sub", PARTNER_AGENT).build(),
            "no trusted key with kid 'corp-ec'"),
        untrusted("partner key with a corp kid", () -> es256().signWith(PARTNER_EC).build(),
            "signature does not verify"),
        untrusted("X.509 authority of the domain used as a JWT signer", () -> svid(x509Authority(), "ES256").build(),
            "no trusted key with kid 'x509-authority'"),
        untrusted("tampered sub", () -> tamperSub(es256().build()), "signature does not verify"),
        // --- sub
        untrusted("sub not a SPIFFE ID (https)", () -> es256().claim("sub", "https://corp.example/agents/bot").build(),
            "is not a SPIFFE ID"),
        untrusted("sub a bare name", () -> es256().claim("sub", "research-bot").build(), "is not a SPIFFE ID"),
        untrusted("sub with an uppercase trust domain", () -> es256().claim("sub", "spiffe://Corp.example/a").build(),
            "is not a SPIFFE ID"),
        untrusted("sub with percent-encoding", () -> es256().claim("sub", "spiffe://corp.example/a%2Fb").build(),
            "is not a SPIFFE ID"),
        untrusted("sub with a dot segment", () -> es256().claim("sub", "spiffe://corp.example/a/../admin").build(),
            "is not a SPIFFE ID"),
        untrusted("sub with a port", () -> es256().claim("sub", "spiffe://corp.example:443/a").build(),
            "is not a SPIFFE ID"),
        untrusted("sub with a trailing slash", () -> es256().claim("sub", "spiffe://corp.example/a/").build(),
            "is not a SPIFFE ID"),
        untrusted("sub names the trust domain itself", () -> es256().claim("sub", "spiffe://corp.example").build(),
            "names a trust domain, not a workload"),
        untrusted("sub in an untrusted trust domain", () -> es256().claim("sub", "spiffe://evil.example/a").build(),
            "trust domain 'evil.example' has no trusted JWT bundle"),
        malformed("sub missing", () -> es256().claim("sub", null).build(), "has no 'sub' claim"),
        malformed("sub a number", () -> es256().claim("sub", 42).build(), "has no 'sub' claim"),
        malformed("sub an array", () -> es256().claim("sub", List.of(AGENT)).build(), "sub"),
        malformed("two subs (duplicate key)", () -> es256().buildRawPayload(es256().payloadJson()
            .replace("{", "{\"sub\":\"spiffe://corp.example/admin\",")), "payload is not strict JSON"),
        // --- audience and time
        untrusted("wrong audience", () -> es256().claim("aud", List.of("billing")).build(), "does not contain 'minter'"),
        untrusted("several audiences, none ours", () -> es256().claim("aud", List.of("a", "b")).build(),
            "does not contain 'minter'"),
        malformed("audience missing", () -> es256().claim("aud", null).build(), "missing 'aud' claim"),
        untrusted("expired", () -> es256().claim("exp", NOW.minusSeconds(31)).build(), "token expired at"),
        malformed("exp missing", () -> es256().claim("exp", null).build(), "missing 'exp' claim"),
        untrusted("nbf in the future", () -> es256().claim("nbf", NOW.plusSeconds(60)).build(), "not valid before"),
        untrusted("iat in the future", () -> es256().claim("iat", NOW.plusSeconds(60)).build(), "issued in the future"),
        // --- header (spec section 2 and JOSE pitfalls)
        untrusted("alg HS256 keyed with the public key", () -> TestJwts.hmac(es256().header("alg", "HS256")
            .headerJson(), es256().payloadJson(), CORP_RSA.toPublicJWK().toJSONString().getBytes()),
            "algorithm 'HS256' is not accepted"),
        untrusted("alg none", () -> es256().header("alg", "none").signAlg("ES256").build(),
            "algorithm 'none' is not accepted"),
        untrusted("embedded jwk", () -> svid(TestJwts.ec("mine", Curve.P_256), "ES256").header("kid", "corp-ec")
            .header("jwk", PARTNER_EC.toPublicJWK().toJSONObject()).build(), "header parameter 'jwk' is not accepted"),
        untrusted("jku header", () -> es256().header("jku", "https://evil.example/keys").build(),
            "header parameter 'jku' is not accepted"),
        untrusted("header parameter outside the spec (x5t)", () -> es256().header("x5t", "abc").build(),
            "header parameter 'x5t' is not allowed in a JWT-SVID"),
        untrusted("private header parameter", () -> es256().header("tenant", "a").build(),
            "header parameter 'tenant' is not allowed in a JWT-SVID"),
        untrusted("typ other than JWT/JOSE", () -> es256().header("typ", "at+jwt").build(), "is not JWT or JOSE"),
        malformed("kid missing", () -> es256().header("kid", null).build(), "header has no 'kid'"),
        untrusted("unknown kid", () -> es256().header("kid", "rotated-away").build(),
            "no trusted key with kid 'rotated-away'"),
        untrusted("RS256 header with the EC key's kid", () -> es256().header("alg", "RS256").signWith(CORP_RSA)
            .build(), "needs an RSA key"),
        // --- framing
        malformed("empty", () -> "", "empty token"),
        malformed("garbage", () -> "not a token", "characters outside base64url"),
        malformed("JWE (5 parts)", () -> "eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d", "encrypted tokens (JWE)"),
        malformed("trailing newline (token read from a file)", () -> es256().build() + "\n",
            "characters outside base64url"),
        malformed("Bearer prefix left in", () -> "Bearer " + es256().build(), "characters outside base64url"),
        malformed("payload not JSON", () -> es256().buildRawPayload("sub=" + AGENT), "payload is not strict JSON"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidSvids")
  void attest_invalidSvid_isRejected(Supplier<String> token, Failure failure, String reason) {
    AttestationResult result = attestor(Optional.empty(), false).attest(evidence(token.get()));

    assertThat(result).isInstanceOfSatisfying(Rejected.class, r -> {
      assertThat(r.kind()).isEqualTo("jwt_svid");
      assertThat(r.failure()).isEqualTo(failure);
      assertThat(r.reason()).contains(reason);
    });
  }

  @Test
  void attest_lifetimeAboveConfiguredMax_isRejected() {
    String token = es256().claim("exp", NOW.plus(Duration.ofHours(2))).build();

    assertThat(attestor(Optional.of(Duration.ofHours(1)), false).attest(evidence(token)))
        .isInstanceOfSatisfying(Rejected.class, r -> assertThat(r.reason()).contains("lifetime exceeds PT1H"));
  }

  @Test
  void attest_noIatWithMaxLifetime_isMalformed() {
    String token = es256().claim("iat", null).build();

    assertThat(attestor(Optional.of(Duration.ofHours(1)), false).attest(evidence(token)))
        .isInstanceOfSatisfying(Rejected.class, r -> assertThat(r.failure()).isEqualTo(Failure.MALFORMED));
  }

  @Test
  void attest_wrongEvidenceKind_isMalformed() {
    AttestationResult result = attestor(Optional.empty(), false)
        .attest(new Evidence("k8s_sat", es256().build().getBytes(StandardCharsets.US_ASCII), List.of()));

    assertThat(result).isInstanceOfSatisfying(Rejected.class, r -> assertThat(r.failure()).isEqualTo(Failure.MALFORMED));
  }

  static Stream<Arguments> goodSvids() {
    return Stream.of(
        arguments("ES256 from corp.example", svid(CORP_EC, "ES256"), AGENT),
        arguments("RS256 from corp.example", svid(CORP_RSA, "RS256"), AGENT),
        arguments("PS256 from corp.example", svid(CORP_RSA, "PS256"), AGENT),
        arguments("ES256 from partner.example", svid(PARTNER_EC, "ES256").claim("sub", PARTNER_AGENT), PARTNER_AGENT),
        arguments("typ JOSE", svid(CORP_EC, "ES256").header("typ", "JOSE"), AGENT),
        arguments("no typ", svid(CORP_EC, "ES256").header("typ", null), AGENT),
        arguments("extra claims (jti, iss)", svid(CORP_EC, "ES256").claim("jti", "j-1").claim("iss",
            "https://spire.corp.example"), AGENT),
        arguments("audience string, not array", svid(CORP_EC, "ES256").claim("aud", AUD), AGENT),
        arguments("several audiences including ours", svid(CORP_EC, "ES256").claim("aud", List.of("x", AUD)), AGENT));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goodSvids")
  void attest_goodSvid_isTheSpiffeIdWithClaims(String name, TestJwts.Builder builder, String expectedId) {
    AttestationResult result = attestor(Optional.empty(), false).attest(evidence(builder.build()));

    assertThat(result).isInstanceOfSatisfying(Verified.class, v -> {
      assertThat(v.identity().id()).isEqualTo(expectedId);
      assertThat(v.identity().attestorKind()).isEqualTo("jwt_svid");
      assertThat(v.identity().claims()).containsEntry("jwt.exp", "2026-12-01T10:04:30Z").containsKey("jwt.aud");
    });
  }

  @Test
  void attest_issuer_isAClaim() {
    String token = es256().claim("iss", "https://spire.corp.example").claim("aud", List.of(AUD, "x")).build();

    assertThat(attestor(Optional.empty(), false).attest(evidence(token))).isInstanceOfSatisfying(Verified.class,
        v -> assertThat(v.identity().claims()).containsEntry("jwt.iss", "https://spire.corp.example")
            .containsEntry("jwt.aud", "minter,x"));
  }

  @Test
  void attest_sameTokenTwiceByDefault_isAcceptedBothTimes() {
    JwtSvidAttestor attestor = attestor(Optional.empty(), false);
    String token = es256().build();

    assertThat(attestor.attest(evidence(token))).isInstanceOf(Verified.class);
    assertThat(attestor.attest(evidence(token))).isInstanceOf(Verified.class);
  }

  @Test
  void attest_sameTokenTwiceWithSingleUse_isReplayed() {
    JwtSvidAttestor attestor = attestor(Optional.empty(), true);
    String token = es256().build();

    assertThat(attestor.attest(evidence(token))).isInstanceOf(Verified.class);
    assertThat(attestor.attest(evidence(token))).isInstanceOfSatisfying(Rejected.class, r -> {
      assertThat(r.failure()).isEqualTo(Failure.REPLAYED);
      assertThat(r.reason()).contains("already used");
    });
    assertThat(attestor.attest(evidence(es256().claim("jti", "fresh").build()))).isInstanceOf(Verified.class);
  }

  // ---------------------------------------------------------------- configuration and rotation

  @Test
  void create_spiffeBundleFile_trustsOnlyItsJwtSvidKeys() throws Exception {
    Files.writeString(dir.resolve("corp.json"), spiffeBundle(CORP_EC));
    JwtSvidAttestor attestor = JwtSvidAttestor.create(yaml("""
        audience: minter
        bundles:
          corp.example: corp.json
        """), TestEnvironments.of(clock, dir));

    assertThat(attestor.attest(evidence(es256().build()))).isInstanceOf(Verified.class);
    assertThat(attestor.attest(evidence(svid(x509Authority(), "ES256").build())))
        .isInstanceOfSatisfying(Rejected.class, r -> assertThat(r.reason()).contains("no trusted key"));
  }

  @Test
  void create_bundleRotation_newKeyTrustedRemovedKeyNotWithoutRestart() throws Exception {
    ECKey next = TestJwts.ec("corp-ec-2", Curve.P_256);
    Path bundle = dir.resolve("corp.json");
    Files.writeString(bundle, spiffeBundle(CORP_EC));
    JwtSvidAttestor attestor = JwtSvidAttestor.create(yaml("""
        audience: minter
        bundles: {corp.example: corp.json}
        """), TestEnvironments.of(clock, dir));
    String oldToken = es256().build();
    String newToken = svid(next, "ES256").build();
    assertThat(attestor.attest(evidence(newToken))).isInstanceOf(Rejected.class);

    Files.writeString(bundle, spiffeBundle(CORP_EC, next)); // rotation step 1: publish the new key
    clock.advance(Duration.ofSeconds(6));
    assertThat(attestor.attest(evidence(newToken))).isInstanceOf(Verified.class);
    assertThat(attestor.attest(evidence(oldToken))).isInstanceOf(Verified.class);

    Files.writeString(bundle, spiffeBundle(next)); // rotation step 2: retire the old key
    clock.advance(Duration.ofSeconds(6));
    assertThat(attestor.attest(evidence(oldToken))).isInstanceOfSatisfying(Rejected.class,
        r -> assertThat(r.reason()).contains("no trusted key with kid 'corp-ec'"));
    assertThat(attestor.attest(evidence(newToken))).isInstanceOf(Verified.class);

    Files.writeString(bundle, "{\"keys\": ["); // a botched write: the last good keys stay
    clock.advance(Duration.ofSeconds(6));
    assertThat(attestor.attest(evidence(newToken))).isInstanceOf(Verified.class);
  }

  static Stream<Arguments> badConfigs() {
    return Stream.of(
        arguments("no audience", "bundles: {corp.example: corp.json}", "audience: missing"),
        arguments("bad trust domain", "audience: minter\nbundles: {Corp.Example: corp.json}", "not a SPIFFE trust"),
        arguments("unknown key", "audience: minter\nbundles: {corp.example: corp.json}\nsingle_us: true",
            "single_us"),
        arguments("missing file", "audience: minter\nbundles: {corp.example: nope.json}", "nope.json"),
        arguments("zero lifetime", "audience: minter\nbundles: {corp.example: corp.json}\nmax_token_lifetime: 0s",
            "max_token_lifetime"),
        arguments("private key in the bundle", "audience: minter\nbundles: {corp.example: private.json}",
            "holds a private key"),
        arguments("bundle without JWT keys", "audience: minter\nbundles: {corp.example: x509only.json}",
            "holds no JWT signing key"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badConfigs")
  void create_badConfig_failsNamingTheSetting(String name, String yaml, String message) throws Exception {
    Files.writeString(dir.resolve("corp.json"), spiffeBundle(CORP_EC));
    Files.writeString(dir.resolve("private.json"), new JWKSet(CORP_EC).toString(false));
    Files.writeString(dir.resolve("x509only.json"), "{\"keys\":[" + x509AuthorityJwk().toJSONString() + "]}");

    assertThatThrownBy(() -> JwtSvidAttestor.create(yaml(yaml), TestEnvironments.of(clock, dir)))
        .hasMessageContaining(message);
  }

  // ---------------------------------------------------------------- helpers

  private static Arguments untrusted(String name, Supplier<String> token, String reason) {
    return arguments(Named.of(name, token), Failure.UNTRUSTED, reason);
  }

  private static Arguments malformed(String name, Supplier<String> token, String reason) {
    return arguments(Named.of(name, token), Failure.MALFORMED, reason);
  }

  static Evidence evidence(String token) {
    return new Evidence("jwt_svid", token.getBytes(StandardCharsets.US_ASCII), List.of());
  }

  static JsonNode yaml(String text) throws Exception {
    return new ObjectMapper(new YAMLFactory()).readTree(text);
  }

  /** A SPIFFE bundle as SPIRE serves it: an x509-svid authority, the jwt-svid keys, sequence and refresh hint. */
  static String spiffeBundle(JWK... jwtKeys) {
    Map<String, Object> bundle = new LinkedHashMap<>();
    List<Object> keys = new java.util.ArrayList<>();
    keys.add(x509AuthorityJwk().toJSONObject());
    for (JWK k : jwtKeys) {
      Map<String, Object> jwk = new LinkedHashMap<>(k.toPublicJWK().toJSONObject());
      jwk.put("use", "jwt-svid");
      keys.add(jwk);
    }
    bundle.put("keys", keys);
    bundle.put("spiffe_sequence", 7);
    bundle.put("spiffe_refresh_hint", 300);
    return TestJwts.json(bundle);
  }

  /** The trust domain's X.509 CA as a bundle entry (use x509-svid, x5c), given a kid to tempt a forger. */
  static JWK x509AuthorityJwk() {
    try {
      ECKey fromCert = (ECKey) JWK.parse(CORP_CA.certificate());
      return new ECKey.Builder(fromCert).keyUse(new KeyUse("x509-svid")).keyID("x509-authority").build();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The same CA key with its private half, to sign a forged JWT as the X.509 authority. */
  static ECKey x509Authority() {
    CertifiedKey issuer = CORP_CA.asIssuer();
    return new ECKey.Builder((ECKey) x509AuthorityJwk()).keyUse(null).x509CertChain(null)
        .privateKey(issuer.privateKey()).build();
  }

  private static String tamperSub(String token) {
    String[] p = token.split("\\.");
    String payload = new String(java.util.Base64.getUrlDecoder().decode(p[1]), StandardCharsets.UTF_8);
    return p[0] + "." + TestJwts.b64(payload.replace("research-bot", "admin-bot")) + "." + p[2];
  }
}
