package dev.minter.attest.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.jwk.ECKey;
import dev.minter.attest.TestClock;
import dev.minter.tls.DevCa;
import dev.minter.tls.LeafSpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SpiffeBundleTest {
  private static final String TD = "corp.example";
  private static final JsonMapper JSON = new JsonMapper();
  private static final TestClock CLOCK = Fixtures.clock();
  private static final DevCa CA = Fixtures.ca(TD, CLOCK);
  private static final DevCa OTHER_CA = Fixtures.ca(TD, CLOCK);
  private static final ECKey JWT_KEY = Fixtures.ecKey("jwt-1");

  @Test
  void parse_specShapedBundle_readsAuthoritiesSequenceAndHint() throws Exception {
    SpiffeBundle b = SpiffeBundle.parse(TD, valid().toString());

    assertThat(b.x509Authorities()).containsExactly(CA.certificate());
    assertThat(b.jwtAuthorities()).containsOnlyKeys("jwt-1");
    assertThat(b.jwtAuthorities().get("jwt-1").isPrivate()).isFalse();
    assertThat(b.sequence()).hasValue(7);
    assertThat(b.refreshHint()).hasValue(Duration.ofSeconds(300));
    assertThat(b.jwtSource().find("jwt-1")).isPresent();
    assertThat(b.jwtSource().find("nope")).isEmpty();
  }

  @Test
  void toJson_parsedAgain_givesEqualBundle() throws Exception {
    SpiffeBundle b = Fixtures.bundle(TD, List.of(CA, OTHER_CA), List.of(JWT_KEY, Fixtures.rsaKey("r", 2048)),
        -1L, Duration.ofMinutes(10));

    SpiffeBundle again = SpiffeBundle.parse(TD, b.toJson());

    assertThat(again.x509Authorities()).isEqualTo(b.x509Authorities());
    assertThat(again.jwtAuthorities()).containsOnlyKeys("jwt-1", "r");
    for (String kid : List.of("jwt-1", "r")) {
      assertThat(again.jwtAuthorities().get(kid).computeThumbprint())
          .isEqualTo(b.jwtAuthorities().get(kid).computeThumbprint());
    }
    assertThat(again.refreshHint()).isEqualTo(b.refreshHint());
    assertThat(again.sequence()).hasValue(-1L); // 2^64-1 unsigned survives the round trip
    assertThat(b.toJson()).contains("\"use\":\"x509-svid\"", "\"use\":\"jwt-svid\"").doesNotContain("\"d\"");
  }

  @Test
  void parse_unknownUseOrKeyType_skipsTheEntryAsTheSpecRequires() throws Exception {
    ObjectNode doc = valid();
    keys(doc).addObject().put("kty", "EC").put("use", "wit-svid").put("kid", "w").put("crv", "P-256");
    keys(doc).addObject().put("kty", "PQC-FUTURE").put("use", "jwt-svid").put("kid", "future");
    keys(doc).addObject().put("kty", "EC").put("use", "X509-SVID"); // use values are case-sensitive

    SpiffeBundle b = SpiffeBundle.parse(TD, doc.toString());

    assertThat(b.x509Authorities()).hasSize(1);
    assertThat(b.jwtAuthorities()).containsOnlyKeys("jwt-1");
  }

  @Test
  void parse_refreshHintZeroAndNoSequence_meansNoHintNoSequence() throws Exception {
    ObjectNode doc = valid().put("spiffe_refresh_hint", 0);
    doc.remove("spiffe_sequence");

    SpiffeBundle b = SpiffeBundle.parse(TD, doc.toString());

    assertThat(b.refreshHint()).isEmpty();
    assertThat(b.sequence()).isEmpty();
  }

  @Test
  void parse_emptyKeys_isAValidButEmptyBundle() throws Exception {
    assertThat(SpiffeBundle.parse(TD, "{\"keys\":[]}").isEmpty()).isTrue();
  }

  @Test
  void toString_namesCountsAndKidsOnly() {
    assertThat(Fixtures.bundle(TD, List.of(CA), List.of(JWT_KEY), 3, null).toString())
        .contains("x509=1", "jwt-1", "sequence=3").doesNotContain("MII");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void parse_malformedBundle_refusedNamingTheProblem(String name, String json, String fragment) {
    assertThatThrownBy(() -> SpiffeBundle.parse(TD, json))
        .isInstanceOf(BundleFormatException.class)
        .hasMessageContaining(fragment);
  }

  static Stream<Arguments> malformed() throws Exception {
    DevCa leafIssuer = CA;
    java.security.cert.X509Certificate leaf = leafIssuer.issue(LeafSpec.clientSvid("spiffe://corp.example/w",
        CLOCK.instant(), CLOCK.instant().plus(Duration.ofDays(1)))).certificate();
    ECKey otherKey = Fixtures.ecKey("x");
    return Stream.of(
        c("not JSON", "{keys:", "not valid JSON"),
        c("JSON array", "[]", "not a JSON object"),
        c("trailing garbage", "{\"keys\":[]} {}", "trailing content"),
        c("duplicate top-level member", "{\"keys\":[],\"keys\":[]}", "Duplicate field"),
        c("no keys", "{\"spiffe_sequence\":1}", "no 'keys' array"),
        c("keys not an array", "{\"keys\":{}}", "no 'keys' array"),
        c("sequence negative", with(d -> d.put("spiffe_sequence", -1)), "spiffe_sequence"),
        c("sequence a string", with(d -> d.put("spiffe_sequence", "1")), "spiffe_sequence"),
        c("sequence fractional", with(d -> d.put("spiffe_sequence", 1.5)), "spiffe_sequence"),
        c("sequence above 2^64-1", with(d -> d.put("spiffe_sequence",
            new java.math.BigInteger("18446744073709551616"))), "spiffe_sequence"),
        c("refresh hint negative", with(d -> d.put("spiffe_refresh_hint", -5)), "spiffe_refresh_hint"),
        c("refresh hint a string", with(d -> d.put("spiffe_refresh_hint", "300")), "spiffe_refresh_hint"),
        c("refresh hint fractional", with(d -> d.put("spiffe_refresh_hint", 1.5)), "spiffe_refresh_hint"),
        c("refresh hint absurdly large", with(d -> d.put("spiffe_refresh_hint", Long.MAX_VALUE)),
            "spiffe_refresh_hint"),
        c("key not an object", with(d -> keys(d).add("x")), "not a JSON object"),
        c("key without use", with(d -> x509(d).remove("use")), "no string 'use'"),
        c("use not a string", with(d -> x509(d).put("use", 1)), "no string 'use'"),
        c("x509 without x5c", with(d -> x509(d).remove("x5c")), "exactly one certificate"),
        c("x509 with empty x5c", with(d -> x509(d).putArray("x5c")), "exactly one certificate"),
        c("x509 with two certificates", with(d -> x509(d).putArray("x5c").add(b64(CA.certificate()))
            .add(b64(OTHER_CA.certificate()))), "exactly one certificate"),
        c("x509 x5c not base64", with(d -> x509(d).putArray("x5c").add("%%%")), "not standard base64"),
        c("x509 x5c not a certificate", with(d -> x509(d).putArray("x5c")
            .add(Base64.getEncoder().encodeToString("junk".getBytes(StandardCharsets.UTF_8)))), "not a valid EC JWK"),
        c("x509 x5c base64url instead of base64", with(d -> x509(d).putArray("x5c")
            .add(b64(CA.certificate()).replace('+', '-').replace('/', '_'))), "not standard base64"),
        c("x509 with a kid", with(d -> x509(d).put("kid", "k")), "has a 'kid'"),
        c("x509 certificate is a leaf, not a CA", with(d -> keys(d).set(0, node(leafEntry(leaf)))),
            "not a CA certificate"),
        c("x509 JWK members do not match the certificate", with(d -> {
          ObjectNode e = x509(d);
          e.put("x", otherKey.getX().toString()).put("y", otherKey.getY().toString());
        }), "must match the JWK"),
        c("x509 entry with private member d", with(d -> x509(d).put("d", JWT_KEY.getD().toString())),
            "private or secret key material ('d')"),
        c("jwt without kid", with(d -> jwt(d).remove("kid")), "has no 'kid'"),
        c("jwt with empty kid", with(d -> jwt(d).put("kid", "")), "has no 'kid'"),
        c("jwt with numeric kid", with(d -> jwt(d).put("kid", 5)), "has no 'kid'"),
        c("jwt duplicate kid", with(d -> keys(d).add(jwt(d).deepCopy())), "repeats key id 'jwt-1'"),
        c("jwt private EC key", with(d -> jwt(d).put("d", JWT_KEY.getD().toString())), "('d')"),
        c("jwt private RSA key", with(d -> keys(d).add(node(Fixtures.rsaKey("r", 2048).toJSONObject())
            .put("use", "jwt-svid"))), "private or secret key material"),
        c("jwt symmetric oct key", with(d -> keys(d).addObject().put("kty", "oct").put("use", "jwt-svid")
            .put("kid", "s")), "symmetric ('oct')"),
        c("jwt oct key with k", with(d -> keys(d).addObject().put("kty", "oct").put("use", "jwt-svid")
            .put("kid", "s").put("k", "c2VjcmV0")), "('k')"),
        c("jwt 1024-bit RSA key", with(d -> keys(d).add(node(Fixtures.rsaKey("weak", 1024).toPublicJWK()
            .toJSONObject()).put("use", "jwt-svid"))), "1024-bit RSA key"),
        c("jwt EC point not on the curve", with(d -> jwt(d).put("y", Fixtures.ecKey("z").getY().toString())),
            "not a valid EC JWK"),
        c("jwt without kty", with(d -> jwt(d).remove("kty")), "no string 'kty'"),
        c("jwt kty not a string", with(d -> jwt(d).put("kty", 3)), "no string 'kty'"),
        c("jwt EC key without x", with(d -> jwt(d).remove("x")), "not a valid EC JWK"),
        c("jwt unknown curve", with(d -> jwt(d).put("crv", "P-999")), "not a valid EC JWK"),
        c("unknown use still refused with private key", with(d -> keys(d).addObject().put("kty", "EC")
            .put("use", "wit-svid").put("d", "AAAA")), "('d')"),
        c("duplicate member inside a key", "{\"keys\":[{\"kty\":\"EC\",\"use\":\"jwt-svid\",\"use\":\"x509-svid\"}]}",
            "Duplicate field 'use'"),
        c("too many keys", with(d -> {
          for (int i = 0; i < 300; i++) {
            keys(d).addObject().put("kty", "EC").put("use", "wit-svid");
          }
        }), "at most 256"),
        c("over 1 MiB", "{\"keys\":[],\"pad\":\"" + "a".repeat(200_000) + "\",\"pad2\":\"" + "a".repeat(200_000)
            + "\",\"p3\":\"" + "a".repeat(200_000) + "\",\"p4\":\"" + "a".repeat(200_000) + "\",\"p5\":\""
            + "a".repeat(260_000) + "\"}", "at most 1048576"),
        c("nesting too deep", "{\"keys\":[],\"x\":" + "[".repeat(40) + "]".repeat(40) + "}", "not valid JSON"));
  }

  // --- helpers: a valid document and ways to break one part of it ---

  static ObjectNode valid() {
    String json = Fixtures.bundle(TD, List.of(CA), List.of(JWT_KEY), 7, Duration.ofSeconds(300)).toJson();
    try {
      return (ObjectNode) JSON.readTree(json);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static ArrayNode keys(ObjectNode doc) {
    return (ArrayNode) doc.get("keys");
  }

  private static ObjectNode x509(ObjectNode doc) {
    return (ObjectNode) keys(doc).get(0);
  }

  private static ObjectNode jwt(ObjectNode doc) {
    return (ObjectNode) keys(doc).get(1);
  }

  private static ObjectNode node(java.util.Map<String, Object> map) {
    return JSON.valueToTree(map);
  }

  private static java.util.Map<String, Object> leafEntry(java.security.cert.X509Certificate leaf) {
    try {
      return new ECKey.Builder(com.nimbusds.jose.jwk.Curve.P_256, (java.security.interfaces.ECPublicKey) leaf.getPublicKey())
          .keyUse(new com.nimbusds.jose.jwk.KeyUse("x509-svid"))
          .x509CertChain(List.of(com.nimbusds.jose.util.Base64.encode(leaf.getEncoded())))
          .build().toJSONObject();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String with(Consumer<ObjectNode> change) {
    ObjectNode doc = valid();
    change.accept(doc);
    return doc.toString();
  }

  private static String b64(java.security.cert.X509Certificate cert) {
    try {
      return Base64.getEncoder().encodeToString(cert.getEncoded());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Arguments c(String name, String json, String fragment) {
    return Arguments.of(name, json, fragment);
  }
}
