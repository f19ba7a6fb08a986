package dev.minter.attest.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.sun.net.httpserver.HttpServer;
import dev.minter.attest.TestClock;
import dev.minter.attest.TestEnvironments;
import dev.minter.attest.jwt.TestJwts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** OIDC discovery of a cluster's keys from a real HTTP server on loopback, and how often it may be asked. */
class IssuerJwksTest {
  static final RSAKey KEY_1 = TestJwts.rsa("key-1");
  static final RSAKey KEY_2 = TestJwts.rsa("key-2");

  final TestClock clock = new TestClock(Instant.parse("2026-12-01T10:00:00Z"));
  final AtomicInteger discoveryFetches = new AtomicInteger();
  final AtomicInteger jwksFetches = new AtomicInteger();
  volatile String issuerInDocument;
  volatile String jwks = new JWKSet(KEY_1.toPublicJWK()).toString();
  volatile int jwksStatus = 200;
  HttpServer server;
  String base;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    base = "http://127.0.0.1:" + server.getAddress().getPort();
    issuerInDocument = base;
    server.createContext("/.well-known/openid-configuration", ex -> {
      discoveryFetches.incrementAndGet();
      respond(ex, 200, "{\"issuer\":\"" + issuerInDocument + "\",\"jwks_uri\":\"" + base + "/openid/v1/jwks\","
          + "\"response_types_supported\":[\"id_token\"],\"subject_types_supported\":[\"public\"],"
          + "\"id_token_signing_alg_values_supported\":[\"RS256\"]}");
    });
    server.createContext("/openid/v1/jwks", ex -> {
      jwksFetches.incrementAndGet();
      respond(ex, jwksStatus, jwks);
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  IssuerJwks source() {
    return new IssuerJwks(URI.create(base), base, TestEnvironments.HTTP, clock);
  }

  @Test
  void find_knownKid_isFetchedOnceAndCached() {
    IssuerJwks source = source();

    for (int i = 0; i < 50; i++) {
      assertThat(source.find("key-1")).isPresent();
    }
    assertThat(jwksFetches).hasValue(1);
    assertThat(discoveryFetches).hasValue(1);
  }

  @Test
  void find_stormOfUnknownKids_refetchesAtMostOncePer30Seconds() {
    IssuerJwks source = source();

    for (int i = 0; i < 200; i++) {
      assertThat(source.find(UUID.randomUUID().toString())).isEmpty();
      clock.advance(Duration.ofMillis(100)); // 20 s in all
    }
    assertThat(jwksFetches).hasValue(1); // the initial fetch only

    jwks = new JWKSet(java.util.List.of(KEY_1.toPublicJWK(), KEY_2.toPublicJWK())).toString(); // rotation
    clock.advance(Duration.ofSeconds(10));
    assertThat(source.find("key-2")).isPresent(); // 30 s after the last fetch: one refetch finds the new key
    for (int i = 0; i < 100; i++) {
      source.find(UUID.randomUUID().toString());
    }
    assertThat(jwksFetches).hasValue(2);
  }

  @Test
  void find_afterMaxAge_refetchesAndDropsARemovedKey() {
    IssuerJwks source = source();
    assertThat(source.find("key-1")).isPresent();

    jwks = new JWKSet(KEY_2.toPublicJWK()).toString();
    clock.advance(IssuerJwks.MAX_AGE);

    assertThat(source.find("key-1")).isEmpty();
    assertThat(source.find("key-2")).isPresent();
  }

  @Test
  void find_fetchFailsLater_keepsLastGoodKeys() {
    IssuerJwks source = source();
    jwksStatus = 503;
    clock.advance(IssuerJwks.MAX_AGE.plusSeconds(1));

    assertThat(source.find("key-1")).isPresent();
    assertThat(jwksFetches).hasValue(2);
  }

  @Test
  void find_discoveryNamingAnotherIssuer_trustsNoKey() {
    issuerInDocument = "https://evil.example";

    assertThat(source().find("key-1")).isEmpty();
    assertThat(jwksFetches).hasValue(0);
  }

  @Test
  void find_jwksHoldingAPrivateKey_trustsNoKey() {
    jwks = new JWKSet(KEY_1).toString(false);

    assertThat(source().find("key-1")).isEmpty();
  }

  @Test
  void find_oversizedJwks_trustsNoKey() {
    jwks = "{\"keys\":[],\"pad\":\"" + "x".repeat(600 * 1024) + "\"}";

    assertThat(source().find("key-1")).isEmpty();
  }

  @Test
  void find_issuerUnreachable_isEmptyNotAnError() {
    server.stop(0);

    assertThat(source().find("key-1")).isEmpty();
  }

  @Test
  void new_plainHttpToANonLoopbackHost_isRefused() {
    assertThatThrownBy(() -> new IssuerJwks(URI.create("http://kubernetes.example"), "x", TestEnvironments.HTTP, clock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected: an https URL");
    assertThatThrownBy(() -> new IssuerJwks(URI.create("http://localhost.evil.example"), "x", TestEnvironments.HTTP,
        clock)).hasMessageContaining("expected: an https URL");
  }

  private static void respond(com.sun.net.httpserver.HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (var out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }
}
