package dev.minter.delegation;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.minter.attest.TestClock;
import dev.minter.vault.Secret;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GrantTokensTest {
  static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
  static final Duration WINDOW = Duration.ofMinutes(5);
  static final ECKey KEY = key("minter-key");
  static final ECKey OTHER_KEY = key("minter-key"); // same kid, different key: a forger's guess
  static final GrantClaims CLAIMS =
      new GrantClaims("grt_1", "tsk_parent", "spiffe://corp.example/agents/helper", List.of("analytics-ro"),
          List.of("report:q3"), Duration.ofMinutes(10), NOW, NOW.plus(WINDOW));

  final TestClock clock = new TestClock(NOW);
  final GrantTokens tokens = new GrantTokens(KEY, WINDOW, clock);

  @Test
  void signThenVerify_roundTrip_returnsTheClaims() {
    Secret grant = tokens.sign(CLAIMS);

    assertThat(tokens.verify(grant)).isEqualTo(new GrantTokens.Result.Valid(CLAIMS));
    assertThat(grant.toString()).doesNotContain(grant.reveal());
  }

  @Test
  void verify_justBeforeExpiry_validThenExpiredAtExp() {
    Secret grant = tokens.sign(CLAIMS);
    clock.advance(WINDOW.minusSeconds(1));
    assertThat(tokens.verify(grant)).isInstanceOf(GrantTokens.Result.Valid.class);

    clock.advance(Duration.ofSeconds(1));
    assertThat(tokens.verify(grant)).isInstanceOf(GrantTokens.Result.Invalid.class);
  }

  static Stream<Arguments> forged() {
    Map<String, Object> good = payload();
    return Stream.of(
        Arguments.of("tampered payload (roles widened), signature kept",
            (Function<GrantTokens, String>) t -> swapPayload(t.sign(CLAIMS).reveal(), with(good, "roles", List.of("analytics-ro", "admin"))),
            "signature"),
        Arguments.of("tampered signature",
            (Function<GrantTokens, String>) t -> flipSignature(t.sign(CLAIMS).reveal()), "signature"),
        Arguments.of("signed with another key under Minter's kid",
            (Function<GrantTokens, String>) t -> es256(OTHER_KEY, TYPE, good), "signature"),
        Arguments.of("alg none (unsigned)",
            (Function<GrantTokens, String>) t -> b64("{\"alg\":\"none\",\"kid\":\"minter-key\"}") + "." + b64json(good) + ".",
            "compact JWS"),
        Arguments.of("HS256 with the public key as the secret",
            (Function<GrantTokens, String>) t -> hs256(good), "algorithm"),
        Arguments.of("expired",
            (Function<GrantTokens, String>) t -> es256(KEY, TYPE, with(with(good, "iat", NOW.minusSeconds(600).getEpochSecond()), "exp", NOW.minusSeconds(1).getEpochSecond())),
            "expired"),
        Arguments.of("lifetime longer than the grant window",
            (Function<GrantTokens, String>) t -> es256(KEY, TYPE, with(good, "exp", NOW.plus(WINDOW).plusSeconds(60).getEpochSecond())),
            "lifetime"),
        Arguments.of("another issuer",
            (Function<GrantTokens, String>) t -> es256(KEY, TYPE, with(good, "iss", "someone-else")), "issuer"),
        Arguments.of("another audience (e.g. a token Minter signs for something else)",
            (Function<GrantTokens, String>) t -> es256(KEY, TYPE, with(good, "aud", "minter")), "audience"),
        Arguments.of("another token type",
            (Function<GrantTokens, String>) t -> es256(KEY, "JWT", good), "type"),
        Arguments.of("missing roles claim",
            (Function<GrantTokens, String>) t -> es256(KEY, TYPE, without(good, "roles")), "missing grant claims"),
        Arguments.of("roles of the wrong type",
            (Function<GrantTokens, String>) t -> es256(KEY, TYPE, with(good, "roles", "analytics-ro")), "malformed"));
  }

  static final String TYPE = GrantTokens.TYPE;

  @ParameterizedTest(name = "{0}")
  @MethodSource("forged")
  void verify_forgedOrWrongGrant_invalidWithReason(String name, Function<GrantTokens, String> make, String reason) {
    GrantTokens.Result result = tokens.verify(Secret.of(make.apply(tokens)));

    assertThat(result).isInstanceOfSatisfying(GrantTokens.Result.Invalid.class,
        invalid -> assertThat(invalid.reason()).containsIgnoringCase(reason));
  }

  @Test
  void verify_grantForAnotherSubAgent_isValidAndNamesItsSub() {
    // The signature says nothing about who presents it: the redeeming code compares sub with the attested caller.
    GrantClaims other = new GrantClaims("grt_2", "tsk_parent", "spiffe://corp.example/agents/other",
        List.of("analytics-ro"), List.of("report:q3"), Duration.ofMinutes(1), NOW, NOW.plusSeconds(60));

    assertThat(tokens.verify(tokens.sign(other)))
        .isInstanceOfSatisfying(GrantTokens.Result.Valid.class,
            v -> assertThat(v.claims().subAgent()).isEqualTo("spiffe://corp.example/agents/other"));
  }

  private static Map<String, Object> payload() {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("iss", GrantTokens.ISSUER);
    p.put("aud", GrantTokens.AUDIENCE);
    p.put("sub", CLAIMS.subAgent());
    p.put("jti", CLAIMS.grantId());
    p.put("iat", NOW.getEpochSecond());
    p.put("exp", NOW.plus(WINDOW).getEpochSecond());
    p.put("parent_task", CLAIMS.parentTaskId());
    p.put("roles", CLAIMS.roles());
    p.put("purposes", CLAIMS.purposes());
    p.put("max_ttl", CLAIMS.maxTtl().toSeconds());
    return p;
  }

  private static Map<String, Object> with(Map<String, Object> p, String key, Object value) {
    Map<String, Object> copy = new LinkedHashMap<>(p);
    copy.put(key, value);
    return copy;
  }

  private static Map<String, Object> without(Map<String, Object> p, String key) {
    Map<String, Object> copy = new LinkedHashMap<>(p);
    copy.remove(key);
    return copy;
  }

  private static String es256(ECKey key, String type, Map<String, Object> payload) {
    try {
      JWSObject jws = new JWSObject(
          new JWSHeader.Builder(JWSAlgorithm.ES256).type(new JOSEObjectType(type)).keyID(key.getKeyID()).build(),
          new Payload(payload));
      jws.sign(new ECDSASigner(key));
      return jws.serialize();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String hs256(Map<String, Object> payload) {
    try {
      JWSObject jws = new JWSObject(
          new JWSHeader.Builder(JWSAlgorithm.HS256).type(new JOSEObjectType(TYPE)).keyID(KEY.getKeyID()).build(),
          new Payload(payload));
      byte[] secret = KEY.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8);
      jws.sign(new MACSigner(secret));
      return jws.serialize();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String swapPayload(String token, Map<String, Object> payload) {
    String[] parts = token.split("\\.");
    return parts[0] + "." + b64json(payload) + "." + parts[2];
  }

  private static String flipSignature(String token) {
    String[] parts = token.split("\\.");
    byte[] sig = Base64.getUrlDecoder().decode(parts[2]);
    sig[10] ^= 1;
    return parts[0] + "." + parts[1] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
  }

  private static String b64json(Map<String, Object> payload) {
    return b64(new Payload(payload).toString());
  }

  private static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static ECKey key(String kid) {
    try {
      return new ECKeyGenerator(Curve.P_256).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.ES256).keyID(kid)
          .generate();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
