package dev.minter.attest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.sun.net.httpserver.HttpServer;
import dev.minter.attest.AttestationResult.Failure;
import dev.minter.attest.AttestationResult.Rejected;
import dev.minter.attest.AttestationResult.Verified;
import dev.minter.attest.jwt.FixedJwkSource;
import dev.minter.attest.oidc.ClaimStrings;
import dev.minter.attest.oidc.IssuerConfig;
import dev.minter.attest.oidc.OidcIssuer;
import dev.minter.attest.oidc.TestIssuer;
import java.net.InetSocketAddress;
import java.net.URI;
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
 * OIDC tokens in GitHub Actions' and GitLab CI's exact claim formats (plus an in-house ES256 IdP), signed by runtime
 * keys, through the production verifier: issuer routing, claim mapping, required claims and single use.
 */
class OidcAttestorTest {
  static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
  static final Duration SKEW = Duration.ofSeconds(30);
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final String GITHUB_ISS = "https://token.actions.githubusercontent.com";
  static final String GITLAB_ISS = "https://gitlab.com";
  static final String IDP_ISS = "https://idp.corp.example/realms/agents";
  static final TestIssuer GITHUB = TestIssuer.rsa("cc413527-173f-5a05-976e-9c52b1d7b431");
  static final TestIssuer GITLAB = TestIssuer.rsa("4i3sFE7sxqNPOT7FdvcGA1ZVGGI_r-tsDXnEuYT4ZqE");
  static final TestIssuer IDP = TestIssuer.ec("idp-2026");
  static final TestIssuer FORGER = TestIssuer.rsa("forger-kid");

  static final IssuerConfig GITHUB_CONFIG =
      new IssuerConfig(GITHUB_ISS, "minter", null, Path.of("unused"), List.of("repository", "ref", "workflow"),
          Map.of("repository_owner", "corp"), Duration.ofMinutes(15), true, null);
  static final IssuerConfig GITLAB_CONFIG =
      new IssuerConfig(GITLAB_ISS, "minter", null, Path.of("unused"), List.of("project_path", "ref"),
          Map.of("namespace_path", "corp"), Duration.ofHours(2), false, null);
  static final IssuerConfig IDP_CONFIG =
      new IssuerConfig(IDP_ISS, "minter", null, Path.of("unused"), null, null, null, null, "corp-idp");

  final TestClock clock = new TestClock(NOW);
  final AttestorEnvironment env = env(clock, Path.of("."));
  final OidcAttestor attestor =
      new OidcAttestor(
          List.of(
              new OidcIssuer(GITHUB_CONFIG, new FixedJwkSource(GITHUB.publicJwks())),
              new OidcIssuer(GITLAB_CONFIG, new FixedJwkSource(GITLAB.publicJwks())),
              new OidcIssuer(IDP_CONFIG, new FixedJwkSource(IDP.publicJwks()))),
          env);

  static AttestorEnvironment env(TestClock clock, Path baseDir) {
    return new AttestorEnvironment(clock, SKEW, new InMemoryReplayGuard(clock, 10_000), new NonceStore(clock, 10), HTTP,
        "minter.local", td -> Optional.empty(), baseDir);
  }

  /** A GitHub Actions token payload as a push to main of corp/app produces it (custom audience "minter"). */
  static Map<String, Object> github() {
    long iat = NOW.minusSeconds(20).getEpochSecond();
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("jti", "8c7d5f1e-2b64-4f0e-9a43-0d7c9a3b2e11");
    c.put("sub", "repo:corp/app:ref:refs/heads/main");
    c.put("aud", "minter");
    c.put("ref", "refs/heads/main");
    c.put("sha", "d6b1a3f0c2e4b5a69788f1e2d3c4b5a6978812ab");
    c.put("repository", "corp/app");
    c.put("repository_owner", "corp");
    c.put("repository_owner_id", "65");
    c.put("run_id", "9876543210");
    c.put("run_number", "42");
    c.put("run_attempt", "1");
    c.put("repository_visibility", "private");
    c.put("repository_id", "74");
    c.put("actor_id", "12");
    c.put("actor", "octocat");
    c.put("workflow", "deploy");
    c.put("head_ref", "");
    c.put("base_ref", "");
    c.put("event_name", "push");
    c.put("ref_protected", "true");
    c.put("ref_type", "branch");
    c.put("workflow_ref", "corp/app/.github/workflows/deploy.yml@refs/heads/main");
    c.put("workflow_sha", "d6b1a3f0c2e4b5a69788f1e2d3c4b5a6978812ab");
    c.put("job_workflow_ref", "corp/app/.github/workflows/deploy.yml@refs/heads/main");
    c.put("job_workflow_sha", "d6b1a3f0c2e4b5a69788f1e2d3c4b5a6978812ab");
    c.put("runner_environment", "github-hosted");
    c.put("environment", "production");
    c.put("iss", GITHUB_ISS);
    c.put("nbf", iat - 300);
    c.put("exp", iat + 300);
    c.put("iat", iat);
    return c;
  }

  static Map<String, Object> github(Consumer<Map<String, Object>> edit) {
    Map<String, Object> c = github();
    edit.accept(c);
    return c;
  }

  /** GitHub's JOSE header carries an x5t thumbprint next to the kid. */
  static String signGithub(Map<String, Object> claims) {
    Map<String, Object> header = GITHUB.header();
    header.put("x5t", "Hsi6ynC8VpGq6TlyLB0a8R07XZo");
    return GITHUB.sign(header, claims);
  }

  /** A GitLab CI {@code id_tokens} payload for a pipeline on main of corp/app. */
  static Map<String, Object> gitlab() {
    long iat = NOW.minusSeconds(600).getEpochSecond();
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("namespace_id", "72");
    c.put("namespace_path", "corp");
    c.put("project_id", "20");
    c.put("project_path", "corp/app");
    c.put("user_id", "5");
    c.put("user_login", "alice");
    c.put("user_email", "alice@corp.example");
    c.put("user_access_level", "maintainer");
    c.put("pipeline_id", "1212");
    c.put("pipeline_source", "push");
    c.put("job_id", "3434");
    c.put("ref", "main");
    c.put("ref_type", "branch");
    c.put("ref_path", "refs/heads/main");
    c.put("ref_protected", "true");
    c.put("runner_id", 1);
    c.put("runner_environment", "gitlab-hosted");
    c.put("sha", "714a629c0b401fdce83e847fc9589983fc6f46bc");
    c.put("project_visibility", "private");
    c.put("ci_config_ref_uri", "gitlab.com/corp/app//.gitlab-ci.yml@refs/heads/main");
    c.put("ci_config_sha", "714a629c0b401fdce83e847fc9589983fc6f46bc");
    c.put("jti", "235b3a54-b797-45c7-ae9a-f72d7bc6ef5b");
    c.put("iss", GITLAB_ISS);
    c.put("iat", iat);
    c.put("nbf", iat - 5);
    c.put("exp", iat + 3600);
    c.put("sub", "project_path:corp/app:ref_type:branch:ref:main");
    c.put("aud", "minter");
    return c;
  }

  static Map<String, Object> idp() {
    long iat = NOW.minusSeconds(5).getEpochSecond();
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("iss", IDP_ISS);
    c.put("sub", "research-bot");
    c.put("aud", List.of("minter", "account"));
    c.put("iat", iat);
    c.put("exp", iat + 300);
    return c;
  }

  static Evidence evidence(String token) {
    return new Evidence(OidcAttestor.KIND, token.getBytes(StandardCharsets.US_ASCII), List.of());
  }

  record Forgery(Function<OidcAttestor, String> token, Failure failure, String reason) {}

  static Arguments row(String name, Function<OidcAttestor, String> token, Failure failure, String reason) {
    return arguments(Named.of(name, new Forgery(token, failure, reason)));
  }

  static Arguments row(String name, Map<String, Object> githubClaims, Failure failure, String reason) {
    return row(name, a -> signGithub(githubClaims), failure, reason);
  }

  static Stream<Arguments> forgeries() {
    long now = NOW.getEpochSecond();
    return Stream.of(
        row("unknown issuer", a -> FORGER.sign(github(c -> c.put("iss", "https://token.evil.example"))),
            Failure.UNTRUSTED, "issuer 'https://token.evil.example' is not configured"),
        row("issuer with a trailing slash (no normalization)", github(c -> c.put("iss", GITHUB_ISS + "/")),
            Failure.UNTRUSTED, "is not configured"),
        row("no iss", github(c -> c.remove("iss")), Failure.MALFORMED, "string 'iss'"),
        row("iss not a string", github(c -> c.put("iss", List.of(GITHUB_ISS))), Failure.MALFORMED, "string 'iss'"),
        row("two iss claims (parsers disagree on which wins)", a -> TestIssuer.b64(TestIssuer.json(GITHUB.header()))
            + "." + TestIssuer.b64("{\"iss\":\"https://token.evil.example\"," + TestIssuer.json(github()).substring(1))
            + ".c2lnbmF0dXJl", Failure.MALFORMED, "string 'iss'"),
        row("wrong signer under GitHub's kid", a -> FORGER.as(GITHUB.kid()).sign(github()), Failure.UNTRUSTED,
            "signature does not verify"),
        row("GitHub iss signed with GitLab's key", a -> GITLAB.sign(github()), Failure.UNTRUSTED,
            "no trusted key with kid '4i3sFE7sxqNPOT7FdvcGA1ZVGGI_r-tsDXnEuYT4ZqE'"),
        row("GitHub iss signed with GitLab's key under GitHub's kid", a -> GITLAB.as(GITHUB.kid()).sign(github()),
            Failure.UNTRUSTED, "signature does not verify"),
        row("GitLab iss signed with GitHub's key", a -> GITHUB.sign(gitlab()), Failure.UNTRUSTED, "no trusted key"),
        row("default GitHub audience, not Minter's", github(c -> c.put("aud", "https://github.com/corp")),
            Failure.UNTRUSTED, "does not contain 'minter'"),
        row("audience of another issuer's relying party", a -> GITLAB.sign(with(gitlab(), "aud", "vault.corp.example")),
            Failure.UNTRUSTED, "does not contain 'minter'"),
        row("expired", github(c -> { c.put("iat", now - 900); c.put("nbf", now - 900); c.put("exp", now - 600); }),
            Failure.UNTRUSTED, "expired"),
        row("not yet valid (nbf)", github(c -> c.put("nbf", now + 120)), Failure.UNTRUSTED, "not valid before"),
        row("lifetime over max_lifetime", github(c -> c.put("exp", ((Long) c.get("iat")) + 3600)), Failure.UNTRUSTED,
            "lifetime exceeds PT15M"),
        row("no iat (lifetime cap could not hold)", github(c -> c.remove("iat")), Failure.MALFORMED, "missing 'iat'"),
        row("no exp", github(c -> c.remove("exp")), Failure.MALFORMED, "missing 'exp'"),
        row("replayed single-use token", a -> used(a, signGithub(github())), Failure.REPLAYED, "already used"),
        row("replayed with re-encoded signature bits",
            a -> TestIssuer.malleateSignatureEncoding(used(a, signGithub(github()))), Failure.REPLAYED, "already used"),
        row("replayed ES256 token with (r, n - s)", a -> TestIssuer.negateEcdsaS(used(a, IDP.sign(idp()))),
            Failure.REPLAYED, "already used"),
        row("required claim mismatch", github(c -> c.put("repository_owner", "evil-corp")), Failure.UNTRUSTED,
            "claim 'repository_owner' is 'evil-corp' (required: 'corp')"),
        row("required claim missing", github(c -> c.remove("repository_owner")), Failure.UNTRUSTED,
            "claim 'repository_owner' is missing"),
        row("required claim as a list", github(c -> c.put("repository_owner", List.of("corp"))), Failure.UNTRUSTED,
            "claim 'repository_owner' is '[corp]'"),
        row("required claim differs only in case", github(c -> c.put("repository_owner", "Corp")), Failure.UNTRUSTED,
            "(required: 'corp')"),
        row("GitLab required claim mismatch", a -> GITLAB.sign(with(gitlab(), "namespace_path", "corp-fork")),
            Failure.UNTRUSTED, "claim 'namespace_path' is 'corp-fork'"),
        row("mapped claim missing", github(c -> c.remove("workflow")), Failure.MALFORMED,
            "claim 'workflow' (part of the identity) is missing"),
        row("mapped claim empty", github(c -> c.put("ref", "")), Failure.MALFORMED, "claim 'ref' (part of the identity)"),
        row("mapped claim a number", github(c -> c.put("workflow", 7)), Failure.MALFORMED, "not a string"),
        row("mapped claim an object", github(c -> c.put("workflow", Map.of("name", "deploy"))), Failure.MALFORMED,
            "claim 'workflow'"),
        row("mapped claim longer than 255", github(c -> c.put("workflow", "w".repeat(256))), Failure.MALFORMED,
            "longer than 255"),
        row("alg none", a -> TestIssuer.assemble(Map.of("alg", "none", "kid", GITHUB.kid()), github(), "AAAA"),
            Failure.UNTRUSTED, "algorithm 'none' is not accepted"),
        row("HS256 keyed with GitHub's public key", a -> GITHUB.hmacWithPublicKey(github()), Failure.UNTRUSTED,
            "algorithm 'HS256' is not accepted"),
        row("RS256 header over the ES256 IdP's kid", a -> FORGER.as(IDP.kid()).sign(idp()), Failure.UNTRUSTED,
            "needs an RSA key"),
        row("jku pointing at the attacker's keys", a -> FORGER.sign(with(FORGER.header(), "jku",
            "https://evil.example/jwks.json"), github()), Failure.UNTRUSTED, "header parameter 'jku' is not accepted"),
        row("x5c with the attacker's certificate", a -> FORGER.sign(with(FORGER.header(), "x5c", List.of("MIIB")),
            github()), Failure.UNTRUSTED, "header parameter 'x5c' is not accepted"),
        row("JWE instead of JWS", a -> "eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d", Failure.MALFORMED, "not a compact JWS"),
        row("payload not base64url", a -> "eyJhbGciOiJSUzI1NiJ9.!!!.c2ln", Failure.MALFORMED, "not a compact JWS"),
        row("token too long", a -> signGithub(with(github(), "pad", "x".repeat(20_000))), Failure.MALFORMED,
            "not a compact JWS"));
  }

  static Map<String, Object> with(Map<String, Object> map, String name, Object value) {
    Map<String, Object> copy = new LinkedHashMap<>(map);
    copy.put(name, value);
    return copy;
  }

  static String used(OidcAttestor attestor, String token) {
    assertThat(attestor.attest(evidence(token))).isInstanceOf(Verified.class);
    return token;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("forgeries")
  void attest_forgedOrMalformedToken_isRejectedWithFailureAndReason(Forgery forgery) {
    String token = forgery.token().apply(attestor);

    AttestationResult result = attestor.attest(evidence(token));

    assertThat(result).isInstanceOfSatisfying(Rejected.class, r -> {
      assertThat(r.kind()).isEqualTo("oidc");
      assertThat(r.failure()).isEqualTo(forgery.failure());
      assertThat(r.reason()).contains(forgery.reason());
      assertThat(r.reason()).doesNotContain(GcpIitAttestorTest.signatureOf(token));
    });
  }

  @Test
  void attest_githubToken_mapsRepositoryRefAndWorkflowToOneSegmentEach() {
    AttestationResult result = attestor.attest(evidence(signGithub(github())));

    assertThat(result).isInstanceOfSatisfying(Verified.class, v -> {
      assertThat(v.identity().id()).isEqualTo(
          "spiffe://minter.local/oidc/token.actions.githubusercontent.com/corp_2fapp/refs_2fheads_2fmain/deploy");
      assertThat(v.identity().attestorKind()).isEqualTo("oidc");
      assertThat(v.identity().claims())
          .containsEntry("oidc.iss", GITHUB_ISS)
          .containsEntry("oidc.sub", "repo:corp/app:ref:refs/heads/main")
          .containsEntry("oidc.repository", "corp/app")
          .containsEntry("oidc.repository_owner", "corp")
          .containsEntry("oidc.job_workflow_ref", "corp/app/.github/workflows/deploy.yml@refs/heads/main")
          .containsEntry("oidc.environment", "production")
          .containsEntry("oidc.event_name", "push")
          .doesNotContainKeys("oidc.exp", "oidc.iat", "oidc.nbf", "oidc.aud");
    });
  }

  @Test
  void attest_claimValuesWithSlashesAndDots_cannotAddOrClimbPathSegments() {
    String token = signGithub(github(c -> {
      c.put("repository", "corp/../../aws/123456789012");
      c.put("ref", "..");
      c.put("workflow", "a_2fb");
    }));

    AttestationResult result = attestor.attest(evidence(token));

    assertThat(result).isInstanceOfSatisfying(Verified.class, v -> assertThat(v.identity().id()).isEqualTo(
        "spiffe://minter.local/oidc/token.actions.githubusercontent.com/corp_2f.._2f.._2faws_2f123456789012/_2e_2e/"
            + "a__2fb"));
  }

  @Test
  void attest_gitlabTokenFromReusableIssuer_isAcceptedEveryTimeUntilExpiry() {
    String token = GITLAB.sign(gitlab());

    AttestationResult first = attestor.attest(evidence(token));
    AttestationResult second = attestor.attest(evidence(token));

    assertThat(first).isInstanceOfSatisfying(Verified.class, v -> {
      assertThat(v.identity().id()).isEqualTo("spiffe://minter.local/oidc/gitlab.com/corp_2fapp/main");
      // runner_id is a number in GitLab's tokens: left out, not coerced.
      assertThat(v.identity().claims()).containsEntry("oidc.namespace_path", "corp").doesNotContainKey("oidc.runner_id");
    });
    assertThat(second).isInstanceOf(Verified.class);
    clock.advance(Duration.ofMinutes(51));
    assertThat(attestor.attest(evidence(token))).isInstanceOfSatisfying(Rejected.class, r ->
        assertThat(r.reason()).contains("expired"));
  }

  @Test
  void attest_es256IssuerWithNameAndDefaultSubMapping_yieldsNamedSegment() {
    AttestationResult result = attestor.attest(evidence(IDP.sign(idp())));

    assertThat(result).isInstanceOfSatisfying(Verified.class, v ->
        assertThat(v.identity().id()).isEqualTo("spiffe://minter.local/oidc/corp-idp/research-bot"));
  }

  @Test
  void attest_tokenWithManyStringClaims_copiesAtMostTheBound() {
    Map<String, Object> claims = github();
    for (int i = 0; i < 100; i++) {
      claims.put("extra_" + i, "v" + i);
    }

    AttestationResult result = attestor.attest(evidence(signGithub(claims)));

    assertThat(result).isInstanceOfSatisfying(Verified.class, v ->
        assertThat(v.identity().claims()).hasSize(ClaimStrings.MAX_CLAIMS));
  }

  @Test
  void attest_wrongEvidenceKind_isMalformed() {
    AttestationResult result =
        attestor.attest(new Evidence("gcp_iit", signGithub(github()).getBytes(StandardCharsets.US_ASCII), List.of()));

    assertThat(result).isInstanceOfSatisfying(Rejected.class, r -> assertThat(r.failure()).isEqualTo(Failure.MALFORMED));
  }

  @Test
  void build_fromYamlWithKeysFileAndLoopbackJwksUri_verifiesBothIssuers(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("gitlab-jwks.json"), GITLAB.publicJwks().toString());
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/.well-known/jwks", exchange -> {
      byte[] body = GITHUB.publicJwks().toString().getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    try {
      URI jwks = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/.well-known/jwks");
      JsonNode section = yaml("""
          issuers:
            - issuer: https://token.actions.githubusercontent.com
              audience: minter
              jwks_uri: %s
              identity_claims: [repository, ref, workflow]
              required_claims: {repository_owner: corp}
              max_lifetime: 15m
            - issuer: https://gitlab.com
              audience: minter
              keys_file: gitlab-jwks.json
              identity_claims: [project_path, ref]
              single_use: false
          """.formatted(jwks));

      Attestors attestors = Attestors.build(Map.of("oidc", section), env(clock, dir), false);

      assertThat(attestors.attest(evidence(signGithub(github())))).isInstanceOf(Verified.class);
      assertThat(attestors.attest(evidence(GITLAB.sign(gitlab())))).isInstanceOf(Verified.class);
    } finally {
      server.stop(0);
    }
  }

  static Stream<Arguments> badConfigs() {
    String gh = "  - issuer: https://token.actions.githubusercontent.com\n    audience: minter\n    keys_file: k.json\n";
    return Stream.of(
        arguments(Named.of("same iss twice", "issuers:\n" + gh + gh), "is configured twice"),
        arguments(Named.of("two issuers on one host", "issuers:\n"
            + "  - {issuer: 'https://login.example/tenant-a', audience: minter, keys_file: k.json}\n"
            + "  - {issuer: 'https://login.example/tenant-b', audience: minter, keys_file: k.json}\n"),
            "both map to the identity segment 'login.example'"),
        arguments(Named.of("no issuers", "issuers: []\n"), "at least one issuer"),
        arguments(Named.of("no audience", "issuers:\n  - {issuer: 'https://i.example', keys_file: k.json}\n"),
            "audience is required"),
        arguments(Named.of("both key sources", "issuers:\n  - {issuer: 'https://i.example', audience: m, "
            + "keys_file: k.json, jwks_uri: 'https://i.example/jwks'}\n"), "at most one of jwks_uri and keys_file"),
        arguments(Named.of("http issuer", "issuers:\n  - {issuer: 'http://i.example', audience: m, keys_file: k.json}\n"),
            "expected an https URL"),
        arguments(Named.of("plain http jwks_uri", "issuers:\n  - {issuer: 'https://i.example', audience: m, "
            + "jwks_uri: 'http://i.example/jwks'}\n"), "issuer 'https://i.example': jwks_uri"),
        arguments(Named.of("empty identity_claims", "issuers:\n  - {issuer: 'https://i.example', audience: m, "
            + "keys_file: k.json, identity_claims: []}\n"), "identity_claims: 0 claims"),
        arguments(Named.of("identity claim twice", "issuers:\n  - {issuer: 'https://i.example', audience: m, "
            + "keys_file: k.json, identity_claims: [sub, sub]}\n"), "listed twice"),
        arguments(Named.of("zero max_lifetime", "issuers:\n  - {issuer: 'https://i.example', audience: m, "
            + "keys_file: k.json, max_lifetime: 0s}\n"), "max_lifetime"),
        arguments(Named.of("unknown key (typo)", "issuers:\n  - {issuer: 'https://i.example', audience: m, "
            + "keys_file: k.json, required_claim: {a: b}}\n"), "required_claim"),
        arguments(Named.of("required claim without a value", "issuers:\n  - {issuer: 'https://i.example', audience: m, "
            + "keys_file: k.json, required_claims: {repository_owner: }}\n"), "required_claims.repository_owner: empty"),
        arguments(Named.of("unreadable keys file", "issuers:\n  - {issuer: 'https://i.example', audience: m, "
            + "keys_file: absent.json}\n"), "keys_file: cannot read"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badConfigs")
  void build_badConfig_failsNamingTheSetting(String yaml, String message, @TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("k.json"), GITHUB.publicJwks().toString());

    assertThatThrownBy(() -> Attestors.build(Map.of("oidc", yaml(yaml)), env(clock, dir), false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("attestors.oidc: ")
        .hasMessageContaining(message);
  }

  @Test
  void constructor_issuersSharingAnIss_isRefused() {
    List<OidcIssuer> twice = List.of(
        new OidcIssuer(GITHUB_CONFIG, new FixedJwkSource(GITHUB.publicJwks())),
        new OidcIssuer(GITHUB_CONFIG, new FixedJwkSource(FORGER.publicJwks())));

    assertThatThrownBy(() -> new OidcAttestor(twice, env))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("configured twice");
  }

  static JsonNode yaml(String text) throws Exception {
    return new ObjectMapper(new YAMLFactory()).readTree(text);
  }
}
