package dev.minter.attest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import dev.minter.attest.AttestationResult.Failure;
import dev.minter.attest.AttestationResult.Rejected;
import dev.minter.attest.AttestationResult.Verified;
import dev.minter.attest.jwt.FixedJwkSource;
import dev.minter.attest.jwt.TestJwts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Kubernetes projected service-account tokens in the API server's exact format (RS256, kid, the kubernetes.io claim
 * object), signed with runtime keys, through the production verifier.
 */
class K8sSatAttestorTest {
  static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
  static final String ISS = "https://kubernetes.default.svc.cluster.local";
  static final String AUD = "minter";
  static final RSAKey CLUSTER = TestJwts.rsa("Hc3vYz2Hq0m7cX1dVbq1gk3m0fJ2bq4yN1Xw9oQdL3E");
  static final RSAKey OTHER_CLUSTER = TestJwts.rsa("otherclusterkid");
  static final RSAKey IMPOSTOR = TestJwts.rsa(CLUSTER.getKeyID());

  @TempDir Path dir;
  final TestClock clock = new TestClock(NOW);

  static K8sSatAttestor.Config config(List<String> namespaces, List<String> serviceAccounts, Boolean allowUnbound,
      Boolean singleUse) {
    return new K8sSatAttestor.Config("prod-eu", ISS, AUD, Path.of("unused.json"), null, null, namespaces,
        serviceAccounts, allowUnbound, singleUse);
  }

  K8sSatAttestor attestor(K8sSatAttestor.Config config) {
    return new K8sSatAttestor(config, new FixedJwkSource(new JWKSet(CLUSTER.toPublicJWK())),
        TestEnvironments.of(clock, dir));
  }

  K8sSatAttestor matrixAttestor() {
    return attestor(config(List.of("analytics", "batch"), List.of("analytics/report-runner", "batch/etl"), null, null));
  }

  /** A token exactly as the kubelet receives one for a projected volume with audience "minter". */
  static TestJwts.Builder projected(JWK key) {
    Map<String, Object> k8s = new LinkedHashMap<>();
    k8s.put("namespace", "analytics");
    k8s.put("node", Map.of("name", "worker-1", "uid", "517eb86e-b863-451b-bf70-86cb61439a3a"));
    k8s.put("pod", Map.of("name", "report-7d9f8", "uid", "0d8b260e-ef0e-45fb-be8e-ff44f97722e8"));
    k8s.put("serviceaccount", Map.of("name", "report-runner", "uid", "e6a8680e-d103-4cce-80ea-03acbbeacf7d"));
    return new TestJwts.Builder(key, "RS256")
        .header("typ", null) // the API server sets only alg and kid
        .claim("aud", List.of(AUD))
        .claim("exp", NOW.plusSeconds(3000))
        .claim("iat", NOW.minusSeconds(600))
        .claim("iss", ISS)
        .claim("jti", "e51f1fbc-4733-4b85-a59f-ba80c0523874")
        .claim("kubernetes.io", k8s)
        .claim("nbf", NOW.minusSeconds(600))
        .claim("sub", "system:serviceaccount:analytics:report-runner");
  }

  static TestJwts.Builder token() {
    return projected(CLUSTER);
  }

  /** {@code token()} with one kubernetes.io entry replaced ({@code null} removes it). */
  static TestJwts.Builder withK8s(String key, Object value) {
    Map<String, Object> k8s = new LinkedHashMap<>();
    k8s.put("namespace", "analytics");
    k8s.put("pod", Map.of("name", "report-7d9f8", "uid", "0d8b260e-ef0e-45fb-be8e-ff44f97722e8"));
    k8s.put("serviceaccount", Map.of("name", "report-runner", "uid", "e6a8680e-d103-4cce-80ea-03acbbeacf7d"));
    if (value == null) {
      k8s.remove(key);
    } else {
      k8s.put(key, value);
    }
    return token().claim("kubernetes.io", k8s);
  }

  /** A legacy secret-based token (pre-1.24 default): no exp, no aud, flat claims, issuer kubernetes/serviceaccount. */
  static String legacyToken() {
    return new TestJwts.Builder(CLUSTER, "RS256").header("typ", null)
        .claim("iss", "kubernetes/serviceaccount")
        .claim("kubernetes.io/serviceaccount/namespace", "analytics")
        .claim("kubernetes.io/serviceaccount/secret.name", "report-runner-token-pnj77")
        .claim("kubernetes.io/serviceaccount/service-account.name", "report-runner")
        .claim("kubernetes.io/serviceaccount/service-account.uid", "a709ef71-30e2-489a-bd19-ade97031b9db")
        .claim("sub", "system:serviceaccount:analytics:report-runner")
        .build();
  }

  static Stream<Arguments> invalidTokens() {
    return Stream.of(
        // --- signer
        untrusted("wrong signer (trusted kid, other key)", () -> token().signWith(IMPOSTOR).build(),
            "signature does not verify"),
        untrusted("another cluster's key", () -> projected(OTHER_CLUSTER).build(),
            "no trusted key with kid 'otherclusterkid'"),
        untrusted("tampered namespace", () -> tamper(token().build(), "\"analytics\"", "\"kube-system\""),
            "signature does not verify"),
        untrusted("alg HS256 keyed with the public JWKS", () -> TestJwts.hmac(token().header("alg", "HS256")
            .headerJson(), token().payloadJson(), new JWKSet(CLUSTER.toPublicJWK()).toString().getBytes()),
            "algorithm 'HS256' is not accepted"),
        untrusted("alg none", () -> token().header("alg", "none").signAlg("RS256").build(),
            "algorithm 'none' is not accepted"),
        untrusted("embedded jwk", () -> projected(TestJwts.rsa("x")).header("jwk", OTHER_CLUSTER.toPublicJWK()
            .toJSONObject()).build(), "header parameter 'jwk' is not accepted"),
        untrusted("ES256 header, RSA key", () -> token().header("alg", "ES256")
            .signWith(TestJwts.ec("e", Curve.P_256)).build(), "needs an EC key"),
        malformed("kid missing", () -> token().header("kid", null).build(), "header has no 'kid'"),
        // --- lifetime
        untrusted("legacy secret-based token (no exp)", K8sSatAttestorTest::legacyToken,
            "legacy secret-based service-account tokens never expire"),
        untrusted("expired", () -> token().claim("exp", NOW.minusSeconds(60)).build(), "token expired at"),
        untrusted("nbf in the future", () -> token().claim("nbf", NOW.plusSeconds(120)).build(), "not valid before"),
        untrusted("iat in the future", () -> token().claim("nbf", null).claim("iat", NOW.plusSeconds(120)).build(),
            "issued in the future"),
        untrusted("extended default token (1 year, kube-api-access)", () -> token()
            .claim("exp", NOW.plus(Duration.ofDays(365))).build(), "token lifetime exceeds PT1H"),
        untrusted("lifetime 2h", () -> token().claim("iat", NOW).claim("exp", NOW.plus(Duration.ofHours(2))).build(),
            "token lifetime exceeds PT1H"),
        malformed("iat missing", () -> token().claim("iat", null).build(), "missing 'iat' claim"),
        // --- issuer and audience
        untrusted("wrong issuer (another cluster)", () -> token().claim("iss", "https://oidc.eks.example/id/X").build(),
            "is not trusted"),
        malformed("issuer missing", () -> token().claim("iss", null).build(), "missing 'iss' claim"),
        untrusted("audience is the API server (default token)", () -> token()
            .claim("aud", List.of("https://kubernetes.default.svc.cluster.local")).build(), "does not contain 'minter'"),
        malformed("audience missing", () -> token().claim("aud", null).build(), "missing 'aud' claim"),
        // --- subject and kubernetes.io
        malformed("sub missing", () -> token().claim("sub", null).build(), "missing 'sub' claim"),
        untrusted("sub is a node", () -> token().claim("sub", "system:node:worker-1").build(),
            "is not a service account"),
        untrusted("sub is a user", () -> token().claim("sub", "alice").build(), "is not a service account"),
        untrusted("sub with an extra segment", () -> token().claim("sub", "system:serviceaccount:analytics:a:b").build(),
            "is not system:serviceaccount:<namespace>:<name>"),
        untrusted("sub with an invalid namespace", () -> token().claim("sub", "system:serviceaccount:Analytics:x")
            .build(), "is not system:serviceaccount:<namespace>:<name>"),
        untrusted("sub namespace differs from kubernetes.io", () -> token()
            .claim("sub", "system:serviceaccount:batch:report-runner").build(), "differs from kubernetes.io.namespace"),
        untrusted("sub name differs from kubernetes.io", () -> token()
            .claim("sub", "system:serviceaccount:analytics:admin").build(),
            "differs from kubernetes.io.serviceaccount.name"),
        malformed("kubernetes.io missing", () -> token().claim("kubernetes.io", null).build(),
            "missing 'kubernetes.io' claim"),
        malformed("kubernetes.io not an object", () -> token().claim("kubernetes.io", "analytics").build(),
            "'kubernetes.io' claim is not an object"),
        malformed("kubernetes.io.namespace missing", () -> withK8s("namespace", null).build(),
            "missing 'kubernetes.io.namespace' claim"),
        malformed("kubernetes.io.namespace a number", () -> withK8s("namespace", 7).build(),
            "'kubernetes.io.namespace' is not a non-empty string"),
        malformed("kubernetes.io.serviceaccount missing", () -> withK8s("serviceaccount", null).build(),
            "missing 'kubernetes.io.serviceaccount' claim"),
        malformed("serviceaccount.uid missing", () -> withK8s("serviceaccount", Map.of("name", "report-runner"))
            .build(), "missing 'kubernetes.io.serviceaccount.uid' claim"),
        malformed("pod not an object", () -> withK8s("pod", "report-7d9f8").build(),
            "'kubernetes.io.pod' claim is not an object"),
        untrusted("not bound to a pod (kubectl create token)", () -> withK8s("pod", null).build(),
            "not bound to a pod"),
        untrusted("bound to a secret, not a pod", () -> withK8s("pod", null).claim("kubernetes.io", Map.of(
            "namespace", "analytics", "secret", Map.of("name", "s", "uid", "u"),
            "serviceaccount", Map.of("name", "report-runner", "uid", "u2"))).build(), "not bound to a pod"),
        // --- allow-lists
        untrusted("namespace not allowed", () -> k8sIdentity(token(), "kube-system", "report-runner").build(),
            "namespace 'kube-system' is not allowed"),
        untrusted("service account not allowed", () -> k8sIdentity(token(), "analytics", "default").build(),
            "service account 'analytics/default' is not allowed"),
        // --- framing
        malformed("empty", () -> "", "empty token"),
        malformed("garbage", () -> "eyJhbGciOiJSUzI1NiJ9", "expected three non-empty parts"),
        malformed("JWE", () -> "eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d", "encrypted tokens (JWE)"),
        malformed("duplicate kubernetes.io", () -> token().buildRawPayload(token().payloadJson().replace("{",
            "{\"kubernetes.io\":{},")), "payload is not strict JSON"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidTokens")
  void attest_invalidToken_isRejected(Supplier<String> token, Failure failure, String reason) {
    AttestationResult result = matrixAttestor().attest(evidence(token.get()));

    assertThat(result).isInstanceOfSatisfying(Rejected.class, r -> {
      assertThat(r.kind()).isEqualTo("k8s_sat");
      assertThat(r.reason()).contains(reason);
      assertThat(r.failure()).isEqualTo(failure);
    });
  }

  @Test
  void attest_projectedToken_isTheNormalizedServiceAccountIdentityWithClaims() {
    AttestationResult result = matrixAttestor().attest(evidence(token().build()));

    assertThat(result).isInstanceOfSatisfying(Verified.class, v -> {
      assertThat(v.identity().id()).isEqualTo("spiffe://minter.local/k8s/prod-eu/ns/analytics/sa/report-runner");
      assertThat(v.identity().attestorKind()).isEqualTo("k8s_sat");
      assertThat(v.identity().claims())
          .containsEntry("k8s.cluster", "prod-eu")
          .containsEntry("k8s.namespace", "analytics")
          .containsEntry("k8s.service_account", "report-runner")
          .containsEntry("k8s.service_account_uid", "e6a8680e-d103-4cce-80ea-03acbbeacf7d")
          .containsEntry("k8s.pod_name", "report-7d9f8")
          .containsEntry("k8s.pod_uid", "0d8b260e-ef0e-45fb-be8e-ff44f97722e8")
          .containsEntry("k8s.node", "worker-1")
          .containsEntry("jwt.exp", "2026-12-01T10:50:00Z");
    });
  }

  @Test
  void attest_tokenWithoutNodeClaim_isAcceptedWithoutNode() {
    // Before Kubernetes 1.30 (ServiceAccountTokenPodNodeInfo) the token names no node.
    AttestationResult result = matrixAttestor().attest(evidence(withK8s("node", null).build()));

    assertThat(result).isInstanceOfSatisfying(Verified.class,
        v -> assertThat(v.identity().claims()).doesNotContainKey("k8s.node").containsKey("k8s.pod_uid"));
  }

  @Test
  void attest_unboundTokenWhenAllowed_isAcceptedWithoutPodClaims() {
    K8sSatAttestor attestor = attestor(config(List.of(), List.of(), true, null));

    AttestationResult result = attestor.attest(evidence(withK8s("pod", null).build()));

    assertThat(result).isInstanceOfSatisfying(Verified.class,
        v -> assertThat(v.identity().claims()).doesNotContainKeys("k8s.pod_name", "k8s.pod_uid"));
  }

  @Test
  void attest_namesNeedingEscapes_cannotForgeAPathSegment() {
    // Namespace and name are RFC 1123; '.' is allowed in names and stays one segment.
    K8sSatAttestor attestor = attestor(config(List.of(), List.of(), null, null));
    String token = k8sIdentity(token(), "analytics", "svc.v2").build();

    assertThat(attestor.attest(evidence(token))).isInstanceOfSatisfying(Verified.class, v ->
        assertThat(v.identity().id()).isEqualTo("spiffe://minter.local/k8s/prod-eu/ns/analytics/sa/svc.v2"));
  }

  @Test
  void attest_sameTokenTwice_isAcceptedByDefaultAndReplayedWithSingleUse() {
    String token = token().build();
    K8sSatAttestor reusable = attestor(config(List.of(), List.of(), null, null));
    K8sSatAttestor singleUse = attestor(config(List.of(), List.of(), null, true));

    assertThat(reusable.attest(evidence(token))).isInstanceOf(Verified.class);
    assertThat(reusable.attest(evidence(token))).isInstanceOf(Verified.class);
    assertThat(singleUse.attest(evidence(token))).isInstanceOf(Verified.class);
    assertThat(singleUse.attest(evidence(token))).isInstanceOfSatisfying(Rejected.class,
        r -> assertThat(r.failure()).isEqualTo(Failure.REPLAYED));
  }

  @Test
  void create_jwksFileRotation_newKeyTrustedRemovedKeyNotWithoutRestart() throws Exception {
    RSAKey next = TestJwts.rsa("next-kid");
    Path jwks = dir.resolve("cluster-jwks.json");
    Files.writeString(jwks, new JWKSet(CLUSTER.toPublicJWK()).toString());
    K8sSatAttestor attestor = K8sSatAttestor.create(JwtSvidAttestorTest.yaml("""
        cluster: prod-eu
        issuer: https://kubernetes.default.svc.cluster.local
        audience: minter
        jwks_file: cluster-jwks.json
        """), TestEnvironments.of(clock, dir));
    String oldToken = token().build();
    String newToken = projected(next).build();
    assertThat(attestor.attest(evidence(newToken))).isInstanceOf(Rejected.class);

    Files.writeString(jwks, new JWKSet(List.of(CLUSTER.toPublicJWK(), next.toPublicJWK())).toString());
    clock.advance(Duration.ofSeconds(6));
    assertThat(attestor.attest(evidence(newToken))).isInstanceOf(Verified.class);
    assertThat(attestor.attest(evidence(oldToken))).isInstanceOf(Verified.class);

    Files.writeString(jwks, new JWKSet(next.toPublicJWK()).toString());
    clock.advance(Duration.ofSeconds(6));
    assertThat(attestor.attest(evidence(oldToken))).isInstanceOfSatisfying(Rejected.class,
        r -> assertThat(r.reason()).contains("no trusted key"));
    assertThat(attestor.attest(evidence(newToken))).isInstanceOf(Verified.class);
  }

  static Stream<Arguments> badConfigs() {
    String base = "cluster: c\nissuer: https://k\naudience: minter\n";
    return Stream.of(
        arguments("no cluster", "issuer: https://k\naudience: minter\njwks_file: k.json", "cluster: missing"),
        arguments("no issuer", "cluster: c\naudience: minter\njwks_file: k.json", "issuer: missing"),
        arguments("no audience", "cluster: c\nissuer: https://k\njwks_file: k.json", "audience: missing"),
        arguments("no key source", base, "exactly one must be set"),
        arguments("both key sources", base + "jwks_file: k.json\nissuer_url: https://k", "exactly one must be set"),
        arguments("plain http issuer_url", base + "issuer_url: http://kubernetes.example", "expected: an https URL"),
        arguments("service account without namespace", base + "jwks_file: k.json\nservice_accounts: [etl]",
            "expected: <namespace>/<name>"),
        arguments("negative lifetime", base + "jwks_file: k.json\nmax_token_lifetime: -PT5M", "max_token_lifetime"),
        arguments("unknown key", base + "jwks_file: k.json\nnamespace: [a]", "namespace"),
        arguments("missing JWKS file", base + "jwks_file: nope.json", "nope.json"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badConfigs")
  void create_badConfig_failsNamingTheSetting(String name, String yaml, String message) throws Exception {
    Files.writeString(dir.resolve("k.json"), new JWKSet(CLUSTER.toPublicJWK()).toString());

    assertThatThrownBy(() -> K8sSatAttestor.create(JwtSvidAttestorTest.yaml(yaml), TestEnvironments.of(clock, dir)))
        .hasMessageContaining(message);
  }

  // ---------------------------------------------------------------- helpers

  static TestJwts.Builder k8sIdentity(TestJwts.Builder b, String namespace, String name) {
    return b.claim("sub", "system:serviceaccount:" + namespace + ":" + name).claim("kubernetes.io", Map.of(
        "namespace", namespace,
        "pod", Map.of("name", "p", "uid", "pu"),
        "serviceaccount", Map.of("name", name, "uid", "su")));
  }

  private static Arguments untrusted(String name, Supplier<String> token, String reason) {
    return arguments(Named.of(name, token), Failure.UNTRUSTED, reason);
  }

  private static Arguments malformed(String name, Supplier<String> token, String reason) {
    return arguments(Named.of(name, token), Failure.MALFORMED, reason);
  }

  static Evidence evidence(String token) {
    return new Evidence("k8s_sat", token.getBytes(StandardCharsets.US_ASCII), List.of());
  }

  private static String tamper(String token, String from, String to) {
    String[] p = token.split("\\.");
    String payload = new String(java.util.Base64.getUrlDecoder().decode(p[1]), StandardCharsets.UTF_8);
    return p[0] + "." + TestJwts.b64(payload.replace(from, to)) + "." + p[2];
  }
}
