package dev.minter.attest.jwt;

import static dev.minter.attest.jwt.TestJwts.b64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.JWSAlgorithm;
import dev.minter.tls.DevCa;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The one JWT verifier every JWT-based attestor uses: a failure matrix of forged, malformed and out-of-policy tokens
 * (each built byte by byte and signed with runtime keys), and the algorithms it must accept.
 */
class JwtVerifierTest {
  private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final Duration SKEW = Duration.ofSeconds(30);
  private static final String ISS = "https://issuer.example";
  private static final String AUD = "minter";
  /** P-256 group order n (FIPS 186-4 D.1.2.3). */
  private static final BigInteger P256_N =
      new BigInteger("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", 16);

  static final RSAKey RSA = TestJwts.rsa("rsa-1");
  static final ECKey EC256 = TestJwts.ec("ec-256", Curve.P_256);
  static final ECKey EC384 = TestJwts.ec("ec-384", Curve.P_384);
  static final ECKey ATTACKER = TestJwts.ec("attacker", Curve.P_256);
  static final RSAKey RSA_1024 = TestJwts.weakRsa("rsa-1024", 1024);
  static final RSAKey RSA_PRIVATE_IN_TRUST = TestJwts.rsa("rsa-private");
  static final RSAKey RSA_FOR_ENC = TestJwts.rsa("rsa-enc");
  static final RSAKey RSA_FOR_RS512 = TestJwts.rsa("rsa-rs512");

  static final JwkSource KEYS = new FixedJwkSource(new JWKSet(List.of(
      RSA.toPublicJWK(),
      EC256.toPublicJWK(),
      EC384.toPublicJWK(),
      RSA_1024.toPublicJWK(),
      RSA_PRIVATE_IN_TRUST, // a misconfigured trust set: the private half
      new RSAKey.Builder(RSA_FOR_ENC.toPublicJWK()).keyUse(KeyUse.ENCRYPTION).build(),
      new RSAKey.Builder(RSA_FOR_RS512.toPublicJWK()).algorithm(JWSAlgorithm.RS512).build())));
  static final JwtRules RULES = new JwtRules(Set.of(ISS), AUD, Optional.of(Duration.ofHours(1)), true);

  private final JwtVerifier verifier = new JwtVerifier(CLOCK, SKEW);

  /** A good RS256 token to start each forgery from. */
  static TestJwts.Builder rs256() {
    return claims(new TestJwts.Builder(RSA, "RS256"));
  }

  static TestJwts.Builder es256() {
    return claims(new TestJwts.Builder(EC256, "ES256"));
  }

  static TestJwts.Builder claims(TestJwts.Builder b) {
    return b.claim("iss", ISS)
        .claim("sub", "spiffe://corp.example/agent")
        .claim("aud", List.of(AUD))
        .claim("iat", NOW.minusSeconds(60))
        .claim("nbf", NOW.minusSeconds(60))
        .claim("exp", NOW.plusSeconds(600));
  }

  static Stream<Arguments> invalidTokens() {
    return Stream.of(
        // --- algorithms
        untrusted("alg none with a fake signature", () -> rs256().header("alg", "none").signAlg("RS256").build()
            .replaceAll("\\.[^.]+$", ".AAAA"), "algorithm 'none' is not accepted"),
        malformed("alg none, unsigned (empty signature part)", () -> unsigned(rs256().header("alg", "none")),
            "three non-empty parts"),
        untrusted("HS256 keyed with the RSA public key (alg confusion)", () -> TestJwts.hmac(
            rs256().header("alg", "HS256").headerJson(), rs256().payloadJson(), rsaPublicPem()),
            "algorithm 'HS256' is not accepted"),
        untrusted("HS256 with any secret", () -> TestJwts.hmac(
            rs256().header("alg", "HS256").headerJson(), rs256().payloadJson(), new byte[32]),
            "algorithm 'HS256' is not accepted"),
        untrusted("unknown alg", () -> rs256().header("alg", "RS257").signAlg("RS256").build(),
            "algorithm 'RS257' is not accepted"),
        untrusted("missing alg", () -> rs256().header("alg", null).signAlg("RS256").build(),
            "algorithm '' is not accepted"),
        untrusted("PBES2 header (JWE key-wrapping alg)", () -> rs256().header("alg", "PBES2-HS256+A128KW")
            .header("enc", "A128GCM").header("p2c", 100_000_000).header("p2s", b64("salt")).signAlg("RS256").build(),
            "algorithm 'PBES2-HS256+A128KW' is not accepted"),
        // --- keys carried by the token
        untrusted("jwk header with the attacker's key (signature valid under it)", () -> claims(
            new TestJwts.Builder(ATTACKER, "ES256")).header("jwk", ATTACKER.toPublicJWK().toJSONObject()).build(),
            "header parameter 'jwk' is not accepted"),
        untrusted("jku header", () -> rs256().header("jku", "https://attacker.example/jwks.json").build(),
            "header parameter 'jku' is not accepted"),
        untrusted("x5u header", () -> rs256().header("x5u", "https://attacker.example/cert.pem").build(),
            "header parameter 'x5u' is not accepted"),
        untrusted("x5c header", () -> rs256().header("x5c", List.of(attackerCertificate())).build(),
            "header parameter 'x5c' is not accepted"),
        // --- serializations and header extensions
        malformed("JWE compact (5 parts)", () -> b64("{\"alg\":\"RSA-OAEP\",\"enc\":\"A256GCM\"}") + ".a.b.c.d",
            "encrypted tokens (JWE) are not accepted"),
        malformed("JSON serialization", () -> "{\"payload\":\"" + b64("{}") + "\",\"signatures\":[]}",
            "not a compact JWS"),
        untrusted("crit header", () -> rs256().header("crit", List.of("exp")).build(), "critical header"),
        untrusted("b64=false (unencoded payload)", () -> rs256().header("b64", false).header("crit", List.of("b64"))
            .build(), "critical header"),
        // --- key selection
        malformed("missing kid", () -> rs256().header("kid", null).build(), "header has no 'kid'"),
        untrusted("unknown kid", () -> rs256().header("kid", "nope").build(), "no trusted key with kid 'nope'"),
        untrusted("kid of a key of the wrong type (RS256 header, EC key)", () -> rs256().header("kid", "ec-256")
            .build(), "algorithm RS256 needs an RSA key"),
        untrusted("ES256 header naming an RSA key", () -> es256().header("kid", "rsa-1").build(),
            "algorithm ES256 needs an EC key"),
        untrusted("EC curve mismatch (ES384 header, P-256 key)", () -> claims(new TestJwts.Builder(EC256, "ES384"))
            .signAlg("ES256").build(), "EC key curve does not match ES384"),
        untrusted("RSA 1024-bit key", () -> claims(new TestJwts.Builder(RSA_1024, "RS256")).build(),
            "shorter than 2048 bits"),
        untrusted("private key in the trust set", () -> claims(new TestJwts.Builder(RSA_PRIVATE_IN_TRUST, "RS256"))
            .build(), "is a private key"),
        untrusted("key use=enc", () -> claims(new TestJwts.Builder(RSA_FOR_ENC, "RS256")).build(),
            "not for signatures"),
        untrusted("key alg mismatch (key for RS512, token RS256)", () -> claims(
            new TestJwts.Builder(RSA_FOR_RS512, "RS256")).build(), "is for RS512, not RS256"),
        // --- signatures
        untrusted("ECDSA r = s = 0 (psychic signature, CVE-2022-21449)", () -> withSignature(es256().build(),
            new byte[64]), "signature does not verify"),
        untrusted("ECDSA r = s = n (psychic signature variant)", () -> withSignature(es256().build(),
            concat(P256_N, P256_N)), "signature does not verify"),
        untrusted("ECDSA r, s > n", () -> withSignature(es256().build(),
            concat(BigInteger.TWO.pow(256).subtract(BigInteger.ONE), P256_N.add(BigInteger.ONE))),
            "signature does not verify"),
        untrusted("tampered payload", () -> tamperPayload(rs256().build()), "signature does not verify"),
        untrusted("tampered signature", () -> flipSignatureByte(rs256().build()), "signature does not verify"),
        untrusted("truncated signature", () -> truncateSignature(rs256().build()), "signature does not verify"),
        untrusted("truncated ECDSA signature", () -> truncateSignature(es256().build()), "signature does not verify"),
        untrusted("signed by another key with the trusted kid", () -> rs256().signWith(TestJwts.rsa("rsa-1")).build(),
            "signature does not verify"),
        // --- time
        untrusted("expired", () -> rs256().claim("iat", NOW.minusSeconds(3000)).claim("nbf", null)
            .claim("exp", NOW.minusSeconds(31)).build(), "token expired at"),
        malformed("exp missing", () -> rs256().claim("exp", null).build(), "missing 'exp' claim"),
        untrusted("nbf in the future", () -> rs256().claim("nbf", NOW.plusSeconds(31)).build(),
            "token not valid before"),
        untrusted("iat in the future", () -> rs256().claim("nbf", null).claim("iat", NOW.plusSeconds(31)).build(),
            "token issued in the future"),
        malformed("iat missing where required", () -> rs256().claim("iat", null).build(), "missing 'iat' claim"),
        untrusted("lifetime longer than the maximum", () -> rs256().claim("exp", NOW.plus(Duration.ofHours(2))).build(),
            "token lifetime exceeds PT1H"),
        malformed("exp not a number", () -> rs256().claim("exp", "tomorrow").build(), "not a valid JWT"),
        // --- audience and issuer
        untrusted("wrong audience", () -> rs256().claim("aud", List.of("someone-else")).build(),
            "does not contain 'minter'"),
        untrusted("audience as a prefix of ours", () -> rs256().claim("aud", "minter-staging").build(),
            "does not contain 'minter'"),
        malformed("missing aud", () -> rs256().claim("aud", null).build(), "missing 'aud' claim"),
        untrusted("wrong issuer", () -> rs256().claim("iss", "https://evil.example").build(),
            "issuer 'https://evil.example' is not trusted"),
        malformed("missing iss", () -> rs256().claim("iss", null).build(), "missing 'iss' claim"),
        // --- JSON
        malformed("duplicate keys in header", () -> rs256().buildRawHeader(
            "{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"kid\":\"ec-256\"}", "RS256"), "header is not strict JSON"),
        malformed("duplicate keys in payload", () -> rs256().buildRawPayload(
            rs256().payloadJson().replace("{\"iss\"", "{\"sub\":\"spiffe://corp.example/admin\",\"iss\"")),
            "payload is not strict JSON"),
        malformed("deeply nested payload", () -> rs256().buildRawPayload(rs256().payloadJson().replace("}",
            ",\"x\":" + "[".repeat(500) + "]".repeat(500) + "}")), "payload is not strict JSON"),
        malformed("payload not an object", () -> rs256().buildRawPayload("[\"exp\",1]"), "payload is not a JSON object"),
        malformed("header not an object", () -> rs256().buildRawHeader("\"RS256\"", "RS256"),
            "header is not a JSON object"),
        malformed("payload not JSON", () -> rs256().buildRawPayload("exp=1"), "payload is not strict JSON"),
        malformed("trailing data after the payload object", () -> rs256().buildRawPayload(rs256().payloadJson() + " {}"),
            "payload has trailing data"),
        // --- encoding and framing
        malformed("garbage base64 (impossible length)", () -> "A." + rs256().build().substring(
            rs256().build().indexOf('.') + 1), "header is not base64url"),
        malformed("non-base64url characters (+ and /)", () -> rs256().build().replaceFirst("^.", "+/"),
            "characters outside base64url"),
        malformed("base64 padding", () -> rs256().build() + "==", "characters outside base64url"),
        malformed("too long", () -> rs256().claim("pad", "x".repeat(JwtVerifier.MAX_TOKEN_LENGTH)).build(),
            "(expected: <= 16384)"),
        malformed("empty", () -> "", "empty token"),
        malformed("blank", () -> "   ", "empty token"),
        malformed("trailing newline", () -> rs256().build() + "\n", "characters outside base64url"),
        malformed("trailing dot (four parts)", () -> rs256().build() + ".", "expected three non-empty parts"),
        malformed("two parts", () -> rs256().build().replaceAll("\\.[^.]+$", ""), "expected three non-empty parts"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidTokens")
  void verify_invalidToken_isInvalidWithReason(Supplier<String> token, boolean malformed, String reason) {
    JwtResult result = verifier.verify(token.get(), RULES, KEYS);

    assertThat(result).isInstanceOfSatisfying(JwtResult.Invalid.class, invalid -> {
      assertThat(invalid.reason()).contains(reason);
      assertThat(invalid.malformed()).as("malformed flag").isEqualTo(malformed);
    });
  }

  static Stream<Arguments> goodTokens() {
    return Stream.of(
        arguments("RS256", new TestJwts.Builder(RSA, "RS256")),
        arguments("RS384", new TestJwts.Builder(RSA, "RS384")),
        arguments("RS512", new TestJwts.Builder(RSA, "RS512")),
        arguments("PS256", new TestJwts.Builder(RSA, "PS256")),
        arguments("PS512", new TestJwts.Builder(RSA, "PS512")),
        arguments("ES256", new TestJwts.Builder(EC256, "ES256")),
        arguments("ES384", new TestJwts.Builder(EC384, "ES384")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goodTokens")
  void verify_goodToken_isValidWithClaimsAndHash(String alg, TestJwts.Builder builder) {
    String token = claims(builder).build();

    JwtResult result = verifier.verify(token, RULES, KEYS);

    assertThat(result).isInstanceOfSatisfying(JwtResult.Valid.class, valid -> {
      assertThat(valid.header().getAlgorithm().getName()).isEqualTo(alg);
      assertThat(valid.claims().getSubject()).isEqualTo("spiffe://corp.example/agent");
      assertThat(valid.tokenHash()).hasSize(64).isEqualTo(sha256Hex(token.substring(0, token.lastIndexOf('.'))));
    });
  }

  @Test
  void verify_expiredWithinSkew_isValid() {
    String token = rs256().claim("exp", NOW.minusSeconds(29)).claim("iat", NOW.minusSeconds(600)).build();

    assertThat(verifier.verify(token, RULES, KEYS)).isInstanceOf(JwtResult.Valid.class);
  }

  @Test
  void verify_issuerUnconstrainedAndIatOptional_acceptsTokenWithoutEither() {
    JwtRules lax = new JwtRules(Set.of(), AUD, Optional.empty(), false);
    String token = rs256().claim("iss", null).claim("iat", null).build();

    assertThat(verifier.verify(token, lax, KEYS)).isInstanceOf(JwtResult.Valid.class);
  }

  @Test
  void verify_maxLifetimeWithoutIat_isInvalid() {
    // Without iat a lifetime cap could not be checked at all: a cap must never be skippable by omitting a claim.
    JwtRules capped = new JwtRules(Set.of(ISS), AUD, Optional.of(Duration.ofMinutes(5)), false);
    String token = rs256().claim("iat", null).claim("exp", NOW.plus(Duration.ofDays(365))).build();

    assertThat(verifier.verify(token, capped, KEYS)).isInstanceOfSatisfying(JwtResult.Invalid.class,
        invalid -> assertThat(invalid.reason()).contains("missing 'iat' claim"));
  }

  @Test
  void verify_reasonQuotingCallerText_isPrintableAndBounded() {
    String token = rs256().header("kid", "evil\nkid\u001b[31m" + "k".repeat(300)).build();

    JwtResult result = verifier.verify(token, RULES, KEYS);

    assertThat(result).isInstanceOfSatisfying(JwtResult.Invalid.class, invalid ->
        assertThat(invalid.reason()).doesNotContain("\n", "\u001b").hasSizeLessThan(200));
  }

  // ---------------------------------------------------------------- helpers

  private static Arguments untrusted(String name, Supplier<String> token, String reason) {
    return arguments(Named.of(name, token), false, reason);
  }

  private static Arguments malformed(String name, Supplier<String> token, String reason) {
    return arguments(Named.of(name, token), true, reason);
  }

  private static String unsigned(TestJwts.Builder b) {
    return b64(b.headerJson()) + "." + b64(b.payloadJson()) + ".";
  }

  private static byte[] rsaPublicPem() {
    try {
      String pem = "-----BEGIN PUBLIC KEY-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
              .encodeToString(RSA.toRSAPublicKey().getEncoded())
          + "\n-----END PUBLIC KEY-----\n";
      return pem.getBytes(StandardCharsets.US_ASCII);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String attackerCertificate() {
    try {
      DevCa ca = DevCa.create("attacker.example", Duration.ofDays(1), CLOCK);
      return Base64.getEncoder().encodeToString(ca.certificate().getEncoded());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** 32-byte big-endian R || S, as a JWS ES256 signature is laid out. */
  private static byte[] concat(BigInteger r, BigInteger s) {
    byte[] out = new byte[64];
    put(out, 0, r);
    put(out, 32, s);
    return out;
  }

  private static void put(byte[] out, int offset, BigInteger v) {
    byte[] b = v.toByteArray();
    int len = Math.min(b.length, 32);
    System.arraycopy(b, b.length - len, out, offset + 32 - len, len);
  }

  private static String withSignature(String token, byte[] signature) {
    return token.substring(0, token.lastIndexOf('.') + 1) + b64(signature);
  }

  private static String tamperPayload(String token) {
    String[] p = token.split("\\.");
    String payload = new String(Base64.getUrlDecoder().decode(p[1]), StandardCharsets.UTF_8);
    return p[0] + "." + b64(payload.replace("spiffe://corp.example/agent", "spiffe://corp.example/admin")) + "." + p[2];
  }

  private static String flipSignatureByte(String token) {
    String[] p = token.split("\\.");
    byte[] sig = Base64.getUrlDecoder().decode(p[2]);
    sig[sig.length / 2] ^= 0x01;
    return p[0] + "." + p[1] + "." + b64(sig);
  }

  private static String truncateSignature(String token) {
    String[] p = token.split("\\.");
    byte[] sig = Base64.getUrlDecoder().decode(p[2]);
    return p[0] + "." + p[1] + "." + b64(Arrays.copyOf(sig, sig.length - 1));
  }

  private static String sha256Hex(String token) {
    try {
      return java.util.HexFormat.of().formatHex(
          java.security.MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
