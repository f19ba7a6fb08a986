package dev.minter.attest.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.minter.attest.TestClock;
import dev.minter.attest.bundle.TestHttpsServer.Reply;
import dev.minter.tls.DevCa;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RefreshingJwkSourceTest {
  private static final String JWKS = "/keys";
  private static final String DISCOVERY = "/issuer/.well-known/openid-configuration";
  private static final RefreshOptions OPTIONS = new RefreshOptions(Duration.ofSeconds(30), Duration.ofMinutes(5),
      Duration.ofHours(1), Duration.ofSeconds(5), Duration.ofSeconds(2));

  private final TestClock clock = Fixtures.clock();
  private final ECKey k1 = Fixtures.ecKey("k1");
  private final ECKey k2 = Fixtures.ecKey("k2");
  private TestHttpsServer server;
  private HttpClient http;

  @BeforeEach
  void setUp() throws Exception {
    DevCa ca = Fixtures.ca("web.test", clock);
    server = new TestHttpsServer(Fixtures.webServer(ca, clock));
    http = TestHttpsServer.clientTrusting(ca);
    server.answer(JWKS, jwks(k1));
  }

  @AfterEach
  void tearDown() {
    server.close();
  }

  @Test
  void find_publishedKey_foundAsPublicKeyOnly() throws Exception {
    RefreshingJwkSource source = RefreshingJwkSource.forJwksUri(server.uri(JWKS), http, clock, OPTIONS);

    assertThat(source.find("k1")).hasValueSatisfying(k -> assertThat(k.isPrivate()).isFalse());
    assertThat(source.find("k1").orElseThrow().computeThumbprint().toString())
        .isEqualTo(thumbprint(k1));
  }

  @Test
  void find_keyRotated_newAcceptedWithoutRestartAndRemovedRejectedAfterMaxAge() {
    server.answer(JWKS, jwks(k1).withHeader("Cache-Control", "public, max-age=600"));
    RefreshingJwkSource source = RefreshingJwkSource.forJwksUri(server.uri(JWKS), http, clock, OPTIONS);
    assertThat(source.find("k1")).isPresent();

    server.answer(JWKS, jwks(k2).withHeader("Cache-Control", "public, max-age=600"));
    clock.advance(Duration.ofSeconds(30));
    assertThat(source.find("k2")).isPresent();
    assertThat(server.hits(JWKS)).isEqualTo(2);

    clock.advance(Duration.ofSeconds(599));
    assertThat(source.find("k2")).isPresent();
    assertThat(server.hits(JWKS)).isEqualTo(2);
    clock.advance(Duration.ofSeconds(1));
    source.current();
    await().atMost(Duration.ofSeconds(5)).until(() -> server.hits(JWKS) == 3);
    assertThat(source.current().orElseThrow().keys()).containsOnlyKeys("k2");
    assertThat(source.find("k1")).isEmpty();
  }

  @Test
  void current_maxAgeOutsideBounds_clampedToMinAndMax() throws Exception {
    server.answer(JWKS, jwks(k1).withHeader("Cache-Control", "max-age=1"));
    RefreshingJwkSource source = RefreshingJwkSource.forJwksUri(server.uri(JWKS), http, clock, OPTIONS);
    assertThat(source.refreshNow()).isTrue();
    clock.advance(Duration.ofSeconds(29));
    source.current();
    assertThat(server.hits(JWKS)).isEqualTo(1);

    server.answer(JWKS, jwks(k1).withHeader("Cache-Control", "max-age=31536000"));
    assertThat(source.refreshNow()).isTrue();
    clock.advance(Duration.ofHours(1));
    source.current();
    await().atMost(Duration.ofSeconds(5)).until(() -> server.hits(JWKS) == 3);
  }

  @Test
  void find_thousandForgedKids_atMostOneExtraFetch() {
    RefreshingJwkSource source = RefreshingJwkSource.forJwksUri(server.uri(JWKS), http, clock, OPTIONS);
    assertThat(source.find("k1")).isPresent();
    clock.advance(OPTIONS.minInterval());

    for (int i = 0; i < 1000; i++) {
      assertThat(source.find("forged-" + i)).isEmpty();
    }

    assertThat(server.hits(JWKS)).isLessThanOrEqualTo(2);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badAnswers")
  void refreshNow_badAnswer_keepsLastGoodSet(String name, Reply bad) throws Exception {
    RefreshingJwkSource source = RefreshingJwkSource.forJwksUri(server.uri(JWKS), http, clock, OPTIONS);
    assertThat(source.refreshNow()).isTrue();
    server.answer(JWKS, bad);

    assertThat(source.refreshNow()).isFalse();
    assertThat(source.find("k1")).isPresent();
  }

  static Stream<Arguments> badAnswers() {
    ECKey key = Fixtures.ecKey("p");
    return Stream.of(
        Arguments.of("HTTP 500", Reply.status(500)),
        Arguments.of("HTTP 302 (redirects not followed)", Reply.status(302).withHeader("Location", "/elsewhere")),
        Arguments.of("not JSON", Reply.ok("<html>")),
        Arguments.of("no keys member", Reply.ok("{}")),
        Arguments.of("empty key set", Reply.ok("{\"keys\":[]}")),
        Arguments.of("private EC key", Reply.ok(new JWKSet(List.<JWK>of(key)).toString(false))),
        Arguments.of("private RSA key", Reply.ok(new JWKSet(List.<JWK>of(Fixtures.rsaKey("r", 2048))).toString(false))),
        Arguments.of("symmetric oct key", Reply.ok("{\"keys\":[{\"kty\":\"oct\",\"kid\":\"h\",\"k\":\"c2VjcmV0\"}]}")),
        Arguments.of("oct key without k", Reply.ok("{\"keys\":[{\"kty\":\"oct\",\"kid\":\"h\"}]}")),
        Arguments.of("duplicate kid", Reply.ok("{\"keys\":[" + pub(key) + "," + pub(key) + "]}")),
        Arguments.of("only keys without kid", Reply.ok("{\"keys\":[" + pub(key).replace("\"kid\":\"p\",", "") + "]}")),
        Arguments.of("only encryption keys", Reply.ok("{\"keys\":[" + pub(key).replace("{", "{\"use\":\"enc\",") + "]}")),
        Arguments.of("1024-bit RSA", Reply.ok(new JWKSet(List.<JWK>of(Fixtures.rsaKey("w", 1024).toPublicJWK()))
            .toString())),
        Arguments.of("over 1 MiB", Reply.ok("{\"keys\":[],\"x\":\"" + "a".repeat(1 << 20) + "\"}")));
  }

  @Test
  void forIssuerDiscovery_matchingIssuer_followsJwksUri() {
    URI issuer = server.uri("/issuer");
    server.answer(DISCOVERY, Reply.ok("{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"" + server.uri(JWKS) + "\"}"));
    RefreshingJwkSource source = RefreshingJwkSource.forIssuerDiscovery(issuer, http, clock, OPTIONS);

    assertThat(source.find("k1")).isPresent();
    assertThat(server.hits(DISCOVERY)).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badDiscovery")
  void forIssuerDiscovery_badDocument_trustsNothing(String name, String document) throws Exception {
    URI issuer = server.uri("/issuer");
    server.answer(DISCOVERY, Reply.ok(document.replace("ISSUER", issuer.toString())
        .replace("JWKS", server.uri(JWKS).toString())));
    RefreshingJwkSource source = RefreshingJwkSource.forIssuerDiscovery(issuer, http, clock, OPTIONS);

    assertThat(source.refreshNow()).isFalse();
    assertThat(source.find("k1")).isEmpty();
    assertThat(server.hits(JWKS)).isZero();
  }

  static Stream<Arguments> badDiscovery() {
    return Stream.of(
        Arguments.of("another issuer", "{\"issuer\":\"https://evil.example\",\"jwks_uri\":\"JWKS\"}"),
        Arguments.of("issuer with trailing slash", "{\"issuer\":\"ISSUER/\",\"jwks_uri\":\"JWKS\"}"),
        Arguments.of("no issuer", "{\"jwks_uri\":\"JWKS\"}"),
        Arguments.of("no jwks_uri", "{\"issuer\":\"ISSUER\"}"),
        Arguments.of("plain http jwks_uri", "{\"issuer\":\"ISSUER\",\"jwks_uri\":\"http://127.0.0.1/keys\"}"),
        Arguments.of("jwks_uri not a string", "{\"issuer\":\"ISSUER\",\"jwks_uri\":5}"),
        Arguments.of("not JSON", "nope"));
  }

  @Test
  void factories_plainHttp_refused() {
    assertThatThrownBy(() -> RefreshingJwkSource.forJwksUri(URI.create("http://x.example/k"), http, clock, OPTIONS))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("https");
    assertThatThrownBy(() -> RefreshingJwkSource.forIssuerDiscovery(URI.create("http://x.example"), http, clock,
        OPTIONS)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("https");
  }

  @Test
  void maxAge_headerForms_parsed() {
    assertThat(HttpFetch.maxAge(java.util.Optional.of("public, max-age=120"))).hasValue(Duration.ofSeconds(120));
    assertThat(HttpFetch.maxAge(java.util.Optional.of("no-cache"))).hasValue(Duration.ZERO);
    assertThat(HttpFetch.maxAge(java.util.Optional.of("max-age=-5"))).isEmpty();
    assertThat(HttpFetch.maxAge(java.util.Optional.of("max-age=99999999999999"))).isEmpty();
    assertThat(HttpFetch.maxAge(java.util.Optional.empty())).isEmpty();
  }

  private static Reply jwks(ECKey... keys) {
    return Reply.ok(new JWKSet(List.<JWK>of(keys)).toString()); // toString() writes public keys only
  }

  private static String pub(ECKey key) {
    return key.toPublicJWK().toJSONString();
  }

  private static String thumbprint(ECKey key) {
    try {
      return key.toPublicJWK().computeThumbprint().toString();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
