package dev.minter.attest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.minter.attest.AttestationResult.Failure;
import dev.minter.attest.AttestationResult.Rejected;
import dev.minter.attest.AttestationResult.Verified;
import dev.minter.attest.gcp.GcpIitConfig;
import dev.minter.attest.jwt.FixedJwkSource;
import dev.minter.attest.oidc.TestIssuer;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * GCE instance identity tokens in Google's exact {@code format=full} shape, signed by runtime keys standing in for
 * Google's, through the production verifier.
 */
class GcpIitAttestorTest {
  static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
  static final Duration SKEW = Duration.ofSeconds(30);
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final TestIssuer GOOGLE = TestIssuer.rsa("6f7254101f56e41cf35c9926de84a2d552b4c6f1");
  static final TestIssuer FORGER = TestIssuer.rsa("forger-kid");
  static final TestIssuer GITHUB = TestIssuer.rsa("github-actions-kid");
  static final TestIssuer EC = TestIssuer.ec("ec-kid");
  static final String SA = "report-agent@corp-prod.iam.gserviceaccount.com";

  final TestClock clock = new TestClock(NOW);
  final AttestorEnvironment env = env(clock);
  final GcpIitAttestor attestor =
      new GcpIitAttestor(
          new GcpIitConfig("minter", null, null, Set.of("corp-prod", "corp-dev"),
              Set.of("us-central1-a", "europe-west1-b"), Set.of(SA, "batch@corp-dev.iam.gserviceaccount.com"),
              Duration.ofMinutes(5)),
          new FixedJwkSource(GOOGLE.publicJwks()), env);

  static AttestorEnvironment env(TestClock clock) {
    return new AttestorEnvironment(clock, SKEW, new InMemoryReplayGuard(clock, 10_000), new NonceStore(clock, 10), HTTP,
        "minter.local", td -> Optional.empty(), Path.of("."));
  }

  /** A token payload exactly as the metadata server returns it for {@code audience=minter&format=full}. */
  static Map<String, Object> claims() {
    Map<String, Object> ce = new LinkedHashMap<>();
    ce.put("instance_creation_timestamp", 1764000000L);
    ce.put("instance_id", "4570452845155348778");
    ce.put("instance_name", "report-agent-1");
    ce.put("project_id", "corp-prod");
    ce.put("project_number", 1071284184436L);
    ce.put("zone", "us-central1-a");
    Map<String, Object> claims = new LinkedHashMap<>();
    long iat = NOW.minusSeconds(60).getEpochSecond();
    claims.put("aud", "minter");
    claims.put("azp", "112179062720391305885");
    claims.put("email", SA);
    claims.put("email_verified", true);
    claims.put("exp", iat + 3600);
    claims.put("google", new LinkedHashMap<>(Map.of("compute_engine", ce)));
    claims.put("iat", iat);
    claims.put("iss", "https://accounts.google.com");
    claims.put("sub", "112179062720391305885");
    return claims;
  }

  static Map<String, Object> claims(Consumer<Map<String, Object>> edit) {
    Map<String, Object> claims = claims();
    edit.accept(claims);
    return claims;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> ce(Map<String, Object> claims) {
    return (Map<String, Object>) ((Map<String, Object>) claims.get("google")).get("compute_engine");
  }

  static Map<String, Object> ce(Consumer<Map<String, Object>> edit) {
    return claims(c -> edit.accept(ce(c)));
  }

  static Evidence evidence(String token) {
    return new Evidence(GcpIitAttestor.KIND, token.getBytes(StandardCharsets.US_ASCII), List.of());
  }

  record Forgery(Function<GcpIitAttestor, String> token, Failure failure, String reason) {}

  static Arguments row(String name, Function<GcpIitAttestor, String> token, Failure failure, String reason) {
    return arguments(Named.of(name, new Forgery(token, failure, reason)));
  }

  static Arguments row(String name, Map<String, Object> claims, Failure failure, String reason) {
    return row(name, a -> GOOGLE.sign(claims), failure, reason);
  }

  static Stream<Arguments> forgeries() {
    long now = NOW.getEpochSecond();
    Map<String, Object> header = GOOGLE.header();
    return Stream.of(
        row("wrong signer under Google's kid", a -> FORGER.as(GOOGLE.kid()).sign(claims()), Failure.UNTRUSTED,
            "signature does not verify"),
        row("signer with an unknown kid", a -> FORGER.sign(claims()), Failure.UNTRUSTED, "no trusted key"),
        row("another issuer's key (GitHub's)", a -> GITHUB.sign(claims()), Failure.UNTRUSTED, "no trusted key"),
        row("wrong audience", claims(c -> c.put("aud", "https://other-service.example")), Failure.UNTRUSTED,
            "does not contain 'minter'"),
        row("no audience", claims(c -> c.remove("aud")), Failure.MALFORMED, "missing 'aud'"),
        row("wrong issuer", claims(c -> c.put("iss", "https://evil.example")), Failure.UNTRUSTED,
            "issuer 'https://evil.example' is not trusted"),
        row("Firebase issuer of the same company", claims(c -> c.put("iss", "https://securetoken.google.com/corp-prod")),
            Failure.UNTRUSTED, "is not trusted"),
        row("no issuer", claims(c -> c.remove("iss")), Failure.MALFORMED, "missing 'iss'"),
        row("expired", claims(c -> { c.put("iat", now - 7200); c.put("exp", now - 3600); }), Failure.UNTRUSTED,
            "expired"),
        row("stale iat (6 minutes old, not yet expired)", claims(c -> { c.put("iat", now - 360); c.put("exp", now + 3240); }),
            Failure.UNTRUSTED, "older than max_age PT5M"),
        row("no iat", claims(c -> c.remove("iat")), Failure.MALFORMED, "missing 'iat'"),
        row("iat in the future", claims(c -> { c.put("iat", now + 600); c.put("exp", now + 4200); }), Failure.UNTRUSTED,
            "issued in the future"),
        row("lifetime longer than Google's hour", claims(c -> c.put("exp", now + 7200)), Failure.UNTRUSTED,
            "lifetime exceeds PT1H"),
        row("no exp", claims(c -> c.remove("exp")), Failure.MALFORMED, "missing 'exp'"),
        row("replayed token", a -> used(a, GOOGLE.sign(claims())), Failure.REPLAYED, "already used"),
        row("replayed with re-encoded signature bits",
            a -> TestIssuer.malleateSignatureEncoding(used(a, GOOGLE.sign(claims()))), Failure.REPLAYED, "already used"),
        row("replayed with a trailing newline", a -> used(a, GOOGLE.sign(claims())) + "\n", Failure.REPLAYED,
            "already used"),
        row("project not allowed", ce(ce -> ce.put("project_id", "attacker-project")), Failure.UNTRUSTED,
            "project 'attacker-project' is not in projects"),
        row("zone not allowed", ce(ce -> ce.put("zone", "asia-east1-b")), Failure.UNTRUSTED,
            "zone 'asia-east1-b' is not in zones"),
        row("service account not allowed", claims(c -> c.put("email", "123-compute@developer.gserviceaccount.com")),
            Failure.UNTRUSTED, "service account '123-compute@developer.gserviceaccount.com' is not in service_accounts"),
        row("format=standard token (no google claim)", claims(c -> c.remove("google")), Failure.MALFORMED,
            "format=full"),
        row("google claim without compute_engine", claims(c -> c.put("google", Map.of())), Failure.MALFORMED,
            "format=full"),
        row("google claim not an object", claims(c -> c.put("google", "compute_engine")), Failure.MALFORMED,
            "'google' is not an object"),
        row("compute_engine not an object", claims(c -> c.put("google", Map.of("compute_engine", List.of()))),
            Failure.MALFORMED, "format=full"),
        row("no project_id", ce(ce -> ce.remove("project_id")), Failure.MALFORMED, "'project_id' is missing"),
        row("project_id not a string", ce(ce -> ce.put("project_id", List.of("corp-prod"))), Failure.MALFORMED,
            "'project_id' is missing"),
        row("empty instance_name", ce(ce -> ce.put("instance_name", "")), Failure.MALFORMED, "'instance_name'"),
        row("no instance_id", ce(ce -> ce.remove("instance_id")), Failure.MALFORMED, "'instance_id'"),
        row("no zone", ce(ce -> ce.remove("zone")), Failure.MALFORMED, "'zone'"),
        row("project_number as a string", ce(ce -> ce.put("project_number", "1071284184436")), Failure.MALFORMED,
            "'project_number' is missing or not a whole number"),
        row("instance_name longer than 255", ce(ce -> ce.put("instance_name", "x".repeat(256))), Failure.MALFORMED,
            "too long"),
        row("no email", claims(c -> c.remove("email")), Failure.MALFORMED, "'email'"),
        row("alg none", a -> TestIssuer.assemble(Map.of("alg", "none", "kid", GOOGLE.kid()), claims(), ""),
            Failure.MALFORMED, "three non-empty parts"),
        row("alg none with a dummy signature", a -> TestIssuer.assemble(Map.of("alg", "none", "kid", GOOGLE.kid()),
            claims(), "AAAA"), Failure.UNTRUSTED, "algorithm 'none' is not accepted"),
        row("HS256 keyed with Google's public key", a -> GOOGLE.hmacWithPublicKey(claims()), Failure.UNTRUSTED,
            "algorithm 'HS256' is not accepted"),
        row("PS256 with Google's RS256 key", a -> GOOGLE.sign(with(header, "alg", "PS256"), claims()), Failure.UNTRUSTED,
            "is for RS256, not PS256"),
        row("ES256 under Google's kid", a -> EC.as(GOOGLE.kid()).sign(claims()), Failure.UNTRUSTED,
            "is for RS256, not ES256"),
        row("attacker key embedded as jwk", a -> FORGER.sign(with(FORGER.header(), "jwk", FORGER.publicKey().toJSONObject()),
            claims()), Failure.UNTRUSTED, "header parameter 'jwk' is not accepted"),
        row("garbage", a -> "this is not a token", Failure.MALFORMED, "not a compact JWS"),
        row("JWE instead of JWS", a -> "eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d", Failure.MALFORMED, "encrypted tokens"));
  }

  static Map<String, Object> with(Map<String, Object> header, String name, Object value) {
    Map<String, Object> copy = new LinkedHashMap<>(header);
    copy.put(name, value);
    return copy;
  }

  /** The token's signature part when it has a real one, else a string no reason contains. */
  static String signatureOf(String token) {
    String sig = token.substring(token.lastIndexOf('.') + 1).strip();
    return sig.length() >= 16 ? sig : "\u0000";
  }

  /** Uses {@code token} once (it must be accepted), then returns it for a replay. */
  static String used(GcpIitAttestor attestor, String token) {
    assertThat(attestor.attest(evidence(token))).isInstanceOf(Verified.class);
    return token;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("forgeries")
  void attest_forgedOrMalformedToken_isRejectedWithFailureAndReason(Forgery forgery) {
    String token = forgery.token().apply(attestor);

    AttestationResult result = attestor.attest(evidence(token));

    assertThat(result).isInstanceOfSatisfying(Rejected.class, r -> {
      assertThat(r.kind()).isEqualTo("gcp_iit");
      assertThat(r.failure()).isEqualTo(forgery.failure());
      assertThat(r.reason()).contains(forgery.reason());
      assertThat(r.reason()).doesNotContain(signatureOf(token)); // never echo the bearer token
    });
  }

  @Test
  void attest_wrongEvidenceKind_isMalformed() {
    AttestationResult result =
        attestor.attest(new Evidence("oidc", GOOGLE.sign(claims()).getBytes(StandardCharsets.US_ASCII), List.of()));

    assertThat(result).isInstanceOfSatisfying(Rejected.class, r -> {
      assertThat(r.failure()).isEqualTo(Failure.MALFORMED);
      assertThat(r.reason()).contains("is not gcp_iit");
    });
  }

  @Test
  void attest_validFullToken_yieldsProjectInstanceIdentityAndClaims() {
    AttestationResult result = attestor.attest(evidence(GOOGLE.sign(claims())));

    assertThat(result).isInstanceOfSatisfying(Verified.class, v -> {
      assertThat(v.identity().id()).isEqualTo("spiffe://minter.local/gcp/corp-prod/report-agent-1");
      assertThat(v.identity().attestorKind()).isEqualTo("gcp_iit");
      assertThat(v.identity().claims()).containsExactlyInAnyOrderEntriesOf(Map.of(
          "gcp.project_id", "corp-prod",
          "gcp.project_number", "1071284184436",
          "gcp.zone", "us-central1-a",
          "gcp.instance_id", "4570452845155348778",
          "gcp.instance_name", "report-agent-1",
          "gcp.service_account", SA,
          "gcp.service_account_id", "112179062720391305885"));
    });
  }

  @Test
  void attest_instanceNameWithSlashAndUnderscore_staysOneEscapedSegment() {
    String token = GOOGLE.sign(ce(ce -> ce.put("instance_name", "a/b_c")));

    AttestationResult result = attestor.attest(evidence(token));

    assertThat(result).isInstanceOfSatisfying(Verified.class, v ->
        assertThat(v.identity().id()).isEqualTo("spiffe://minter.local/gcp/corp-prod/a_2fb__c"));
  }

  @Test
  void attest_licenseIdsAndConfidentialityClaims_areAcceptedAndIgnored() {
    String token = GOOGLE.sign(ce(ce -> {
      ce.put("license_id", List.of("1000010", "5926592092274602096"));
      ce.put("instance_confidentiality", 1);
    }));

    assertThat(attestor.attest(evidence(token))).isInstanceOf(Verified.class);
  }

  @Test
  void attest_legacyIssuerSpelling_isAccepted() {
    assertThat(attestor.attest(evidence(GOOGLE.sign(claims(c -> c.put("iss", "accounts.google.com"))))))
        .isInstanceOf(Verified.class);
  }

  @Test
  void attest_twoFreshTokensFromOneInstance_areBothAccepted() {
    String first = GOOGLE.sign(claims());
    String second = GOOGLE.sign(claims(c -> c.put("iat", ((Long) c.get("iat")) + 1)));

    assertThat(attestor.attest(evidence(first))).isInstanceOf(Verified.class);
    assertThat(attestor.attest(evidence(second))).isInstanceOf(Verified.class);
  }

  @Test
  void attest_iatJustInsideMaxAgePlusSkew_isAccepted_andJustOutside_isStale() {
    long now = NOW.getEpochSecond();
    String inside = GOOGLE.sign(claims(c -> { c.put("iat", now - 329); c.put("exp", now - 329 + 3600); }));
    String outside = GOOGLE.sign(claims(c -> { c.put("iat", now - 330); c.put("exp", now - 330 + 3600); }));

    assertThat(attestor.attest(evidence(inside))).isInstanceOf(Verified.class);
    assertThat(attestor.attest(evidence(outside))).isInstanceOfSatisfying(Rejected.class, r ->
        assertThat(r.reason()).contains("older than max_age"));
  }

  @Test
  void attest_emptyZoneAndServiceAccountLists_acceptAnyZoneAndAccount() {
    GcpIitAttestor open = new GcpIitAttestor(new GcpIitConfig("minter", null, null, Set.of("corp-prod"), null, null, null),
        new FixedJwkSource(GOOGLE.publicJwks()), env);
    String token = GOOGLE.sign(claims(c -> {
      c.put("email", "123-compute@developer.gserviceaccount.com");
      ce(c).put("zone", "asia-east1-b");
    }));

    assertThat(open.attest(evidence(token))).isInstanceOf(Verified.class);
  }

  @Test
  void build_fromYamlWithGooglePemCertificateMap_verifiesThroughRegisteredFactory(@TempDir Path dir) throws Exception {
    // Google's oauth2/v1/certs shape: {"<kid>": "-----BEGIN CERTIFICATE-----..."}.
    Files.writeString(dir.resolve("google-certs.json"), TestIssuer.json(Map.of(GOOGLE.kid(),
        TestIssuer.pem(GOOGLE.certificate(NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(14)))))));
    JsonNode section = yaml("""
        audience: minter
        keys_file: google-certs.json
        projects: [corp-prod]
        max_age: 2m
        """);
    AttestorEnvironment withDir = new AttestorEnvironment(clock, SKEW, env.replay(), env.nonces(), HTTP, "minter.local",
        td -> Optional.empty(), dir);

    Attestors attestors = Attestors.build(Map.of("gcp_iit", section), withDir, false);

    assertThat(attestors.kinds()).containsExactly("gcp_iit");
    assertThat(attestors.attest(evidence(GOOGLE.sign(claims())))).isInstanceOf(Verified.class);
  }

  static Stream<Arguments> badConfigs() {
    return Stream.of(
        arguments(Named.of("no audience", "projects: [p]\nkeys_file: k.json\n"), "audience: required"),
        arguments(Named.of("no projects", "audience: minter\nkeys_file: k.json\n"), "projects: required"),
        arguments(Named.of("empty projects", "audience: minter\nkeys_file: k.json\nprojects: []\n"), "projects: required"),
        arguments(Named.of("both key sources", "audience: minter\nprojects: [p]\nkeys_file: k.json\n"
            + "jwks_uri: https://www.googleapis.com/oauth2/v3/certs\n"), "at most one of keys_file and jwks_uri"),
        arguments(Named.of("max_age over an hour", "audience: minter\nprojects: [p]\nkeys_file: k.json\nmax_age: 2h\n"),
            "max_age: PT2H"),
        arguments(Named.of("unknown key (typo)", "audience: minter\nproject: [p]\nkeys_file: k.json\n"), "project"),
        arguments(Named.of("missing keys file", "audience: minter\nprojects: [p]\nkeys_file: absent.json\n"),
            "keys_file: cannot read"),
        arguments(Named.of("plain http jwks_uri", "audience: minter\nprojects: [p]\njwks_uri: http://keys.example/certs\n"),
            "plain http"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badConfigs")
  void build_badConfig_failsNamingTheSetting(String yaml, String message, @TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("k.json"), GOOGLE.publicJwks().toString());
    AttestorEnvironment withDir = new AttestorEnvironment(clock, SKEW, env.replay(), env.nonces(), HTTP, "minter.local",
        td -> Optional.empty(), dir);

    assertThatThrownBy(() -> Attestors.build(Map.of("gcp_iit", yaml(yaml)), withDir, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("attestors.gcp_iit: ")
        .hasMessageContaining(message);
  }

  static JsonNode yaml(String text) throws Exception {
    return new ObjectMapper(new YAMLFactory()).readTree(text);
  }
}
