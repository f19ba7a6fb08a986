package dev.minter.attest.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.sun.net.httpserver.HttpServer;
import dev.minter.attest.TestClock;
import dev.minter.attest.jwt.JwkSource;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class KeySourcesTest {
  static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
  static final TestIssuer A = TestIssuer.rsa("key-a");
  static final TestIssuer B = TestIssuer.rsa("key-b");
  static final HttpClient HTTP = HttpClient.newHttpClient();

  final TestClock clock = new TestClock(NOW);
  @TempDir Path dir;
  HttpServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  @Test
  void parse_googleCertificateMap_usesMapKeysAsKidsAndCertificateValidity() {
    String text = TestIssuer.json(Map.of(
        "key-a", TestIssuer.pem(A.certificate(NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(1))))));

    JWKSet keys = KeySets.parse(text);

    assertThat(keys.getKeyByKeyId("key-a")).isNotNull();
    assertThat(keys.getKeyByKeyId("key-a").getExpirationTime().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(1)));
  }

  @Test
  void parse_pemCertificates_namesEachKeyByItsThumbprint() throws Exception {
    String pem = TestIssuer.pem(A.certificate(NOW.minusSeconds(60), NOW.plusSeconds(3600)))
        + TestIssuer.pem(B.certificate(NOW.minusSeconds(60), NOW.plusSeconds(3600)));

    JWKSet keys = KeySets.parse(pem);

    assertThat(keys.getKeys()).hasSize(2);
    assertThat(keys.getKeyByKeyId(A.publicKey().computeThumbprint().toString())).isNotNull();
  }

  static Stream<Arguments> badKeySets() throws Exception {
    return Stream.of(
        arguments(Named.of("private key", new JWKSet(new RSAKeyGenerator(2048).keyID("k").generate()).toString(false)),
            "is a private key"),
        arguments(Named.of("empty JWKS", "{\"keys\": []}"), "holds no keys"),
        arguments(Named.of("key without kid", "{\"keys\": [" + new RSAKeyGenerator(2048).generate().toPublicJWK() + "]}"),
            "has no 'kid'"),
        arguments(Named.of("map value not a string", "{\"k\": 1}"), "not a PEM certificate string"),
        arguments(Named.of("map value not a certificate", "{\"k\": \"hello\"}"), "unreadable PEM certificate"),
        arguments(Named.of("not JSON", "{keys"), "not valid JSON"),
        arguments(Named.of("neither JSON nor PEM", "ssh-rsa AAAA"), "not a JWKS"),
        arguments(Named.of("oversized", "{\"keys\": [], \"pad\": \"" + "x".repeat(KeySets.MAX_BYTES) + "\"}"),
            "expected: <= "));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badKeySets")
  void parse_badKeySet_isRefusedWithReason(String text, String reason) {
    assertThatThrownBy(() -> KeySets.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(reason);
  }

  @Test
  void fileSource_expiredCertificateKey_isNotFound() throws Exception {
    Path file = dir.resolve("certs.json");
    Files.writeString(file, TestIssuer.json(Map.of(
        "key-a", TestIssuer.pem(A.certificate(NOW.minus(Duration.ofDays(2)), NOW.plus(Duration.ofHours(1)))))));
    JwkSource source = KeySources.fromConfig(file, null, HTTP, clock);
    assertThat(source.find("key-a")).isPresent();

    clock.advance(Duration.ofHours(1));

    assertThat(source.find("key-a")).isEmpty();
  }

  @Test
  void fileSource_fileReplaced_isReReadWhenItsMtimeChanges() throws Exception {
    Path file = dir.resolve("jwks.json");
    Files.writeString(file, A.publicJwks().toString());
    JwkSource source = KeySources.fromConfig(file, null, HTTP, clock);
    assertThat(source.find("key-b")).isEmpty();

    Files.writeString(file, B.publicJwks().toString());
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));

    assertThat(source.find("key-b")).isPresent();
    assertThat(source.find("key-a")).as("rotated out").isEmpty();
  }

  @Test
  void fileSource_fileBecomesInvalid_keepsLastGoodKeys() throws Exception {
    Path file = dir.resolve("jwks.json");
    Files.writeString(file, A.publicJwks().toString());
    JwkSource source = KeySources.fromConfig(file, null, HTTP, clock);

    Files.writeString(file, "{\"keys\": [");
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));

    assertThat(source.find("key-a")).isPresent();
  }

  @Test
  void remoteSource_unknownKids_refetchAtMostOncePer30Seconds() throws Exception {
    AtomicInteger fetches = new AtomicInteger();
    AtomicReference<String> body = new AtomicReference<>(A.publicJwks().toString());
    URI uri = serve(fetches, body, 200);
    JwkSource source = KeySources.fromConfig(null, uri, HTTP, clock);

    assertThat(source.find("key-a")).isPresent();
    for (int i = 0; i < 50; i++) {
      assertThat(source.find("forged-" + i)).isEmpty();
    }
    assertThat(fetches.get()).as("first fetch only: the refetch window has not passed").isEqualTo(1);

    body.set(B.publicJwks().toString());
    clock.advance(Duration.ofSeconds(30));
    assertThat(source.find("key-b")).as("rotation picked up on an unknown kid").isPresent();
    assertThat(source.find("forged-x")).isEmpty();
    assertThat(fetches.get()).isEqualTo(2);
  }

  @Test
  void remoteSource_cacheOlderThanAnHour_isRefreshedSoWithdrawnKeysStopWorking() throws Exception {
    AtomicInteger fetches = new AtomicInteger();
    AtomicReference<String> body = new AtomicReference<>(A.publicJwks().toString());
    JwkSource source = KeySources.fromConfig(null, serve(fetches, body, 200), HTTP, clock);
    assertThat(source.find("key-a")).isPresent();

    body.set(B.publicJwks().toString());
    clock.advance(Duration.ofMinutes(61));

    assertThat(source.find("key-a")).isEmpty();
    assertThat(fetches.get()).isEqualTo(2);
  }

  @Test
  void remoteSource_endpointFailing_keepsLastGoodKeys() throws Exception {
    AtomicInteger fetches = new AtomicInteger();
    AtomicReference<String> body = new AtomicReference<>(A.publicJwks().toString());
    AtomicInteger status = new AtomicInteger(200);
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/jwks", exchange -> {
      fetches.incrementAndGet();
      byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status.get(), bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    server.start();
    JwkSource source = KeySources.fromConfig(null, uri("/jwks"), HTTP, clock);
    assertThat(source.find("key-a")).isPresent();

    status.set(503);
    clock.advance(Duration.ofMinutes(61));
    assertThat(source.find("key-a")).as("HTTP 503: last good kept").isPresent();
    status.set(200);
    body.set("not json");
    clock.advance(Duration.ofSeconds(31));
    assertThat(source.find("key-a")).as("garbage: last good kept").isPresent();
    assertThat(fetches.get()).isEqualTo(3);
  }

  static Stream<Arguments> badSourceConfigs() {
    return Stream.of(
        arguments(Named.of("neither", new Object[] {null, null}), "exactly one of keys_file and jwks_uri"),
        arguments(Named.of("both", new Object[] {Path.of("k.json"), URI.create("https://i.example/jwks")}),
            "exactly one"),
        arguments(Named.of("plain http to a remote host", new Object[] {null, URI.create("http://i.example/jwks")}),
            "plain http"),
        arguments(Named.of("http to a name that merely resolves locally",
            new Object[] {null, URI.create("http://localhost.evil.example/jwks")}), "plain http"),
        arguments(Named.of("file URL", new Object[] {null, URI.create("file:///etc/passwd")}), "expected: an https URL"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badSourceConfigs")
  void fromConfig_badSource_isRefused(Object[] settings, String reason) {
    assertThatThrownBy(() -> KeySources.fromConfig((Path) settings[0], (URI) settings[1], HTTP, clock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(reason);
  }

  @Test
  void fromConfig_httpToLoopbackLiteral_isAllowed() {
    assertThat(KeySources.fromConfig(null, URI.create("http://127.0.0.1:1/jwks"), HTTP, clock)).isNotNull();
    assertThat(KeySources.fromConfig(null, URI.create("http://[::1]:1/jwks"), HTTP, clock)).isNotNull();
  }

  private URI serve(AtomicInteger fetches, AtomicReference<String> body, int status) throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/jwks", exchange -> {
      fetches.incrementAndGet();
      byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    server.start();
    return uri("/jwks");
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }
}
