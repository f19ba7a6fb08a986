package dev.minter.delegation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import dev.minter.attest.InMemoryReplayGuard;
import dev.minter.attest.TestClock;
import dev.minter.attest.jwt.TestJwts;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The {@code delegation:} section: defaults, relative key files, and settings refused at start-up. */
class DelegationConfigTest {
  static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  static JsonNode yaml(String text) throws Exception {
    return YAML.readTree(text);
  }

  @Test
  void from_jwksFileIssuer_readsRelativePathAndDefaultLifetime(@TempDir Path dir) throws Exception {
    DelegationConfig config = DelegationConfig.from(yaml("""
        audience: minter-prod
        issuers:
          - issuer: https://idp.corp.example
            jwks_file: keys/idp.json
        """), dir);

    assertThat(config.audience()).isEqualTo("minter-prod");
    assertThat(config.maxTokenLifetime()).isEqualTo(Duration.ofHours(1));
    assertThat(config.issuers()).singleElement().satisfies(i -> {
      assertThat(i.jwksFile()).isEqualTo(dir.resolve("keys/idp.json"));
      assertThat(i.discovery()).isFalse();
    });
  }

  @Test
  void create_jwksFile_verifierAcceptsTokensSignedWithItsKey(@TempDir Path dir) throws Exception {
    ECKey key = TestJwts.ec("k1", Curve.P_256);
    Files.writeString(dir.resolve("idp.json"), new JWKSet(key.toPublicJWK()).toString());
    DelegationConfig config = DelegationConfig.from(yaml("""
        audience: minter
        max_token_lifetime: 15m
        issuers: [{issuer: "https://idp.corp.example", jwks_file: idp.json}]
        """), dir);
    TestClock clock = new TestClock(NOW);
    DelegationTokenVerifier verifier = DelegationTokenVerifier.create(
        config, HttpClient.newHttpClient(), clock, Duration.ofSeconds(30), new InMemoryReplayGuard(clock, 10));
    String token = new TestJwts.Builder(key, "ES256")
        .claim("iss", "https://idp.corp.example").claim("aud", "minter").claim("sub", "alice")
        .claim("act", Map.of("sub", "spiffe://minter.local/agents/a")).claim("scope", "role:r purpose:p")
        .claim("iat", NOW).claim("exp", NOW.plus(Duration.ofMinutes(20)))
        .build();

    // 20 minutes is over this config's 15m cap: the configured lifetime reached the verifier.
    assertThat(verifier.verify(token, "spiffe://minter.local/agents/a"))
        .isInstanceOfSatisfying(DelegationResult.Refused.class,
            r -> assertThat(r.reason()).contains("token lifetime exceeds PT15M"));
  }

  static Stream<Arguments> badConfigs() {
    return Stream.of(
        arguments(Named.of("no audience", "issuers: [{issuer: x, jwks_file: k.json}]"),
            "delegation.audience is required"),
        arguments(Named.of("no issuers", "audience: minter\nissuers: []"), "at least one issuer is required"),
        arguments(Named.of("no key source", "audience: minter\nissuers: [{issuer: x}]"),
            "set exactly one of jwks_file, jwks_uri and discovery: true"),
        arguments(Named.of("two key sources",
                "audience: minter\nissuers: [{issuer: x, jwks_file: k.json, jwks_uri: 'https://x/jwks'}]"),
            "set exactly one of jwks_file, jwks_uri and discovery: true"),
        arguments(Named.of("ca_file with a key file",
                "audience: minter\nissuers: [{issuer: x, jwks_file: k.json, ca_file: ca.pem}]"),
            "ca_file applies only to jwks_uri or discovery"),
        arguments(Named.of("issuer twice",
                "audience: minter\nissuers: [{issuer: x, jwks_file: a.json}, {issuer: x, jwks_file: b.json}]"),
            "'x' is configured twice"),
        arguments(Named.of("lifetime over a day", "audience: minter\nmax_token_lifetime: 25h\n"
                + "issuers: [{issuer: x, jwks_file: k.json}]"), "max_token_lifetime: PT25H (expected: > 0 and <= 24h)"),
        arguments(Named.of("unknown key", "audience: minter\nissuer: x\nissuers: [{issuer: x, jwks_file: k.json}]"),
            "issuer"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badConfigs")
  void from_badSection_failsNamingTheSetting(String yaml, String message, @TempDir Path dir) {
    assertThatThrownBy(() -> DelegationConfig.from(yaml(yaml), dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("delegation")
        .hasMessageContaining(message);
  }

  @Test
  void create_plainHttpJwksUri_refusedAtStartup(@TempDir Path dir) throws Exception {
    DelegationConfig config = DelegationConfig.from(yaml("""
        audience: minter
        issuers: [{issuer: "https://idp.corp.example", jwks_uri: "http://idp.corp.example/jwks"}]
        """), dir);
    TestClock clock = new TestClock(NOW);

    assertThatThrownBy(() -> DelegationTokenVerifier.create(
            config, HttpClient.newHttpClient(), clock, Duration.ofSeconds(30), new InMemoryReplayGuard(clock, 10)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("delegation.issuers['https://idp.corp.example']");
  }
}
