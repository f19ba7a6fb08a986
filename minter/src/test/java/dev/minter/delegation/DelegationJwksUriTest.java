package dev.minter.delegation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.minter.attest.InMemoryReplayGuard;
import dev.minter.attest.jwt.TestJwts;
import dev.minter.tls.CertifiedKey;
import dev.minter.tls.DevCa;
import dev.minter.tls.LeafSpec;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An issuer whose keys are fetched from a {@code jwks_uri} over real HTTPS, served with a certificate from a private
 * CA: with {@code ca_file} naming that CA the keys are fetched and tokens verify; without it the JDK's default trust
 * refuses the server and no token verifies.
 */
class DelegationJwksUriTest {
  static final String ISS = "https://idp.corp.example";
  static final String AGENT = "spiffe://minter.local/agents/research-bot";
  static final ECKey IDP = TestJwts.ec("remote-1", Curve.P_256);

  @TempDir Path dir;
  HttpsServer server;
  Clock clock = Clock.systemUTC();

  @BeforeEach
  void serveJwks() throws Exception {
    DevCa ca = DevCa.create("web.test", Duration.ofDays(1), clock);
    ca.write(dir.resolve("ca.pem"), dir.resolve("ca.key"));
    Instant now = clock.instant();
    CertifiedKey leaf = ca.issue(LeafSpec.builder(now.minusSeconds(60), now.plus(Duration.ofDays(1)))
        .ip("127.0.0.1")
        .extendedKeyUsages(LeafSpec.ExtendedKeyUse.SERVER_AUTH)
        .build());
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("server", leaf.privateKey(), "pw".toCharArray(), new X509Certificate[] {leaf.certificate()});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, "pw".toCharArray());
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(kmf.getKeyManagers(), null, null);
    server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    byte[] jwks = new JWKSet(IDP.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
    server.createContext("/jwks", exchange -> {
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, jwks.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(jwks);
      }
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  DelegationTokenVerifier verifier(String caFileLine) throws Exception {
    String yaml = """
        audience: minter
        issuers:
          - issuer: %s
            jwks_uri: https://127.0.0.1:%d/jwks
        %s""".formatted(ISS, server.getAddress().getPort(), caFileLine);
    DelegationConfig config = DelegationConfig.from(new ObjectMapper(new YAMLFactory()).readTree(yaml), dir);
    return DelegationTokenVerifier.create(config, HttpClient.newHttpClient(), clock, Duration.ofSeconds(30),
        new InMemoryReplayGuard(clock, 100));
  }

  static String token() {
    Instant now = Instant.now();
    return new TestJwts.Builder(IDP, "ES256")
        .claim("iss", ISS).claim("aud", "minter").claim("sub", "alice@corp.example")
        .claim("act", Map.of("sub", AGENT)).claim("scope", "role:analytics-ro purpose:report:*")
        .claim("iat", now).claim("exp", now.plus(Duration.ofMinutes(5)))
        .build();
  }

  @Test
  void verify_jwksUriWithCaFile_fetchesKeysAndAcceptsToken() throws Exception {
    DelegationTokenVerifier verifier = verifier("    ca_file: ca.pem\n");
    String token = token();

    // The first lookup starts the fetch and waits only briefly for it; a refused token is not spent, so retry.
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> assertThat(verifier.verify(token, AGENT)).isInstanceOf(DelegationResult.Accepted.class));
  }

  @Test
  void verify_jwksUriServedByUntrustedCa_noKeysSoTokenRefused() throws Exception {
    DelegationTokenVerifier verifier = verifier("");
    String token = token();

    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).pollInterval(Duration.ofMillis(250))
        .untilAsserted(() -> assertThat(verifier.verify(token, AGENT))
            .isInstanceOfSatisfying(DelegationResult.Refused.class,
                r -> assertThat(r.reason()).contains("no trusted key with kid 'remote-1'")));
  }
}
