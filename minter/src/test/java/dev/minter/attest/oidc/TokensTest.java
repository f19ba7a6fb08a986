package dev.minter.attest.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minter.attest.jwt.FixedJwkSource;
import dev.minter.attest.jwt.JwtResult;
import dev.minter.attest.jwt.JwtRules;
import dev.minter.attest.jwt.JwtVerifier;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TokensTest {
  static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
  static final JwtVerifier VERIFIER = new JwtVerifier(Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofSeconds(30));
  static final JwtRules RULES = new JwtRules(Set.of("https://i.example"), "minter", Optional.empty(), true);
  static final Map<String, Object> CLAIMS = Map.of("iss", "https://i.example", "aud", "minter", "sub", "s",
      "iat", NOW.getEpochSecond(), "exp", NOW.getEpochSecond() + 300);

  @Test
  void replayKey_rsaSignatureReEncoded_sameKeyThoughTheVerifierAcceptsItAsANewToken() {
    TestIssuer issuer = TestIssuer.rsa("k");
    String token = issuer.sign(CLAIMS);
    String malleated = TestIssuer.malleateSignatureEncoding(token);

    JwtResult first = VERIFIER.verify(token, RULES, new FixedJwkSource(issuer.publicJwks()));
    JwtResult second = VERIFIER.verify(malleated, RULES, new FixedJwkSource(issuer.publicJwks()));

    // Why replay keys hash the signing input: both verify although the token strings differ; the verifier's
    // tokenHash (every JWT attestor's replay key) covers header.payload only, so it is the same for both.
    assertThat(malleated).isNotEqualTo(token);
    assertThat(first).isInstanceOf(JwtResult.Valid.class);
    assertThat(second).isInstanceOf(JwtResult.Valid.class);
    assertThat(((JwtResult.Valid) first).tokenHash()).isEqualTo(((JwtResult.Valid) second).tokenHash());
  }

  @Test
  void replayKey_ecdsaSignatureNegated_sameKeyThoughTheVerifierAcceptsItAsANewToken() {
    TestIssuer issuer = TestIssuer.ec("k");
    String token = issuer.sign(CLAIMS);
    String negated = TestIssuer.negateEcdsaS(token);

    assertThat(negated).isNotEqualTo(token);
    assertThat(replayKey(negated, issuer)).isEqualTo(replayKey(token, issuer));
  }

  @Test
  void replayKey_differentClaims_differentKeys() {
    TestIssuer issuer = TestIssuer.rsa("k");
    Map<String, Object> other = new java.util.HashMap<>(CLAIMS);
    other.put("sub", "t");
    assertThat(replayKey(issuer.sign(CLAIMS), issuer)).isNotEqualTo(replayKey(issuer.sign(other), issuer));
  }

  /** The replay key the JWT attestors use: the verifier's hash of the signing input (the token must verify). */
  private static String replayKey(String token, TestIssuer issuer) {
    JwtResult result = VERIFIER.verify(token, RULES, new FixedJwkSource(issuer.publicJwks()));
    assertThat(result).isInstanceOf(JwtResult.Valid.class);
    return ((JwtResult.Valid) result).tokenHash();
  }

  @Test
  void peekIssuer_readsIssOnlyFromAStrictPayload() {
    assertThat(Tokens.peekIssuer(TestIssuer.rsa("k").sign(CLAIMS))).contains("https://i.example");
    assertThat(Tokens.peekIssuer("a.b")).isEmpty();
    assertThat(Tokens.peekIssuer("e30." + TestIssuer.b64("{\"iss\":\"a\",\"iss\":\"b\"}") + ".c")).isEmpty();
    assertThat(Tokens.peekIssuer("e30." + TestIssuer.b64("{\"iss\":1}") + ".c")).isEmpty();
    assertThat(Tokens.peekIssuer("e30." + TestIssuer.b64("[" .repeat(1000)) + ".c")).isEmpty();
  }
}
