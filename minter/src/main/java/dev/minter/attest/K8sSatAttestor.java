package dev.minter.attest;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.minter.attest.AttestationResult.Rejected;
import dev.minter.attest.AttestationResult.Verified;
import dev.minter.attest.jwt.JwkSource;
import dev.minter.attest.jwt.JwksFile;
import dev.minter.attest.jwt.JwtResult;
import dev.minter.attest.jwt.JwtRules;
import dev.minter.attest.jwt.JwtVerifier;
import dev.minter.attest.k8s.IssuerJwks;
import dev.minter.attest.k8s.ServiceAccountToken;
import dev.minter.config.ConfigLoader;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Verifies a Kubernetes projected service-account token offline: signature by the cluster's service-account issuer
 * keys (a JWKS file, or the issuer's OIDC discovery), {@code iss}, {@code aud}, a short lifetime, and the
 * {@code kubernetes.io} claims, which must agree with {@code sub}. The identity is
 * {@code spiffe://<identity_domain>/k8s/<cluster>/ns/<namespace>/sa/<name>}.
 *
 * <p>Legacy secret-based tokens never expire and are refused; so are tokens living longer than
 * {@code max_token_lifetime} (1 h by default), because an offline check cannot see that the pod a token was bound to
 * has been deleted (only the API server's TokenReview can): a short lifetime is what bounds a stolen token. Tokens
 * not bound to a pod ({@code kubectl create token}) are refused unless {@code allow_unbound: true}.
 */
public final class K8sSatAttestor implements Attestor {
  public static final String KIND = "k8s_sat";
  public static final Duration DEFAULT_MAX_LIFETIME = Duration.ofHours(1);

  private final Config config;
  private final JwkSource keys;
  private final JwtRules rules;
  private final JwtVerifier verifier;
  private final ReplayGuard replay;
  private final String identityDomain;

  public K8sSatAttestor(Config config, JwkSource keys, AttestorEnvironment env) {
    this.config = requireNonNull(config, "config");
    this.keys = requireNonNull(keys, "keys");
    this.rules = new JwtRules(Set.of(config.issuer()), config.audience(), Optional.of(config.maxTokenLifetime()), true);
    this.verifier = new JwtVerifier(env.clock(), env.skew());
    this.replay = env.replay();
    this.identityDomain = env.identityDomain();
  }

  /** Builds the attestor from its {@code attestors.k8s_sat} section. */
  public static K8sSatAttestor create(JsonNode node, AttestorEnvironment env) throws IOException {
    Config config = ConfigLoader.convert(node, Config.class, env.baseDir());
    JwkSource keys = config.jwksFile() != null
        ? new JwksFile(config.jwksFile(), env.clock(), JwksFile.DEFAULT_RECHECK)
        : new IssuerJwks(URI.create(config.issuerUrl()), config.issuer(), env.http(), env.clock());
    return new K8sSatAttestor(config, keys, env);
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public AttestationResult attest(Evidence evidence) {
    requireNonNull(evidence, "evidence");
    if (!KIND.equals(evidence.kind())) {
      return Rejected.malformed(KIND, "evidence kind " + Reasons.quote(evidence.kind()) + " is not " + KIND);
    }
    String token = new String(evidence.payload(), StandardCharsets.US_ASCII);
    JwtResult.Valid valid;
    switch (verifier.verify(token, rules, keys)) {
      case JwtResult.Invalid invalid when invalid.reason().startsWith("missing 'exp'") -> {
        return reject("token has no 'exp': legacy secret-based service-account tokens never expire and are not "
            + "accepted (use a projected token with a short expirationSeconds)");
      }
      case JwtResult.Invalid invalid -> {
        return invalid.malformed() ? Rejected.malformed(KIND, invalid.reason()) : reject(invalid.reason());
      }
      case JwtResult.Valid v -> valid = v;
    }
    ServiceAccountToken sa;
    try {
      sa = ServiceAccountToken.from(valid.claims());
    } catch (ServiceAccountToken.InvalidClaims e) {
      return e.malformed() ? Rejected.malformed(KIND, e.getMessage()) : reject(e.getMessage());
    }
    if (!config.namespaces().isEmpty() && !config.namespaces().contains(sa.namespace())) {
      return reject("namespace " + Reasons.quote(sa.namespace()) + " is not allowed (allowed: " + config.namespaces()
          + ")");
    }
    String qualified = sa.namespace() + "/" + sa.name();
    if (!config.serviceAccounts().isEmpty() && !config.serviceAccounts().contains(qualified)) {
      return reject("service account " + Reasons.quote(qualified) + " is not allowed");
    }
    if (sa.pod().isEmpty() && !config.allowUnbound()) {
      return reject("token is not bound to a pod (tokens from 'kubectl create token' or secrets are refused unless "
          + "allow_unbound is set)");
    }
    Instant exp = valid.claims().getExpirationTime().toInstant();
    if (config.singleUse() && !replay.firstUse(KIND, valid.tokenHash(), exp)) {
      return Rejected.replayed(KIND, "service-account token for " + qualified + " was already used (single_use is on)");
    }
    String id = IdentityUris.of(identityDomain, "k8s", config.cluster(), "ns", sa.namespace(), "sa", sa.name());
    return new Verified(new WorkloadIdentity(id, KIND, claims(sa, exp)));
  }

  private Map<String, String> claims(ServiceAccountToken sa, Instant exp) {
    Map<String, String> claims = new LinkedHashMap<>();
    claims.put("k8s.cluster", config.cluster());
    claims.put("k8s.namespace", sa.namespace());
    claims.put("k8s.service_account", sa.name());
    claims.put("k8s.service_account_uid", sa.uid());
    sa.pod().ifPresent(pod -> {
      claims.put("k8s.pod_name", pod.name());
      claims.put("k8s.pod_uid", pod.uid());
    });
    sa.node().ifPresent(node -> claims.put("k8s.node", node.name()));
    claims.put("jwt.exp", exp.toString());
    return claims;
  }

  private static Rejected reject(String reason) {
    return new Rejected(KIND, reason);
  }

  /**
   * The {@code attestors.k8s_sat} section.
   *
   * @param cluster the cluster's name in identities (required)
   * @param issuer the {@code iss} the cluster's tokens carry (its {@code --service-account-issuer}; required)
   * @param audience the value {@code aud} must contain (the projected volume's {@code audience}; required)
   * @param jwksFile the cluster's service-account JWKS ({@code kubectl get --raw /openid/v1/jwks}); or
   * @param issuerUrl where to start OIDC discovery of the keys (https, or http on loopback)
   * @param maxTokenLifetime the longest {@code exp - iat} accepted (default 1h)
   * @param namespaces if not empty, only these namespaces
   * @param serviceAccounts if not empty, only these {@code <namespace>/<name>} service accounts
   * @param allowUnbound accept tokens not bound to a pod (default false)
   * @param singleUse make each token usable once (default false: kubelet reuses a token until it refreshes it)
   */
  public record Config(
      @JsonProperty("cluster") String cluster,
      @JsonProperty("issuer") String issuer,
      @JsonProperty("audience") String audience,
      @JsonProperty("jwks_file") Path jwksFile,
      @JsonProperty("issuer_url") String issuerUrl,
      @JsonProperty("max_token_lifetime") Duration maxTokenLifetime,
      @JsonProperty("namespaces") List<String> namespaces,
      @JsonProperty("service_accounts") List<String> serviceAccounts,
      @JsonProperty("allow_unbound") Boolean allowUnbound,
      @JsonProperty("single_use") Boolean singleUse) {
    public Config {
      required(cluster, "cluster", "the cluster's name in identities");
      required(issuer, "issuer", "the cluster's service-account issuer, as in the tokens' iss");
      required(audience, "audience", "the audience of the projected token");
      if ((jwksFile == null) == (issuerUrl == null)) {
        throw new IllegalArgumentException("jwks_file / issuer_url: exactly one must be set");
      }
      if (issuerUrl != null) {
        try {
          URI.create(issuerUrl);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("issuer_url: '" + issuerUrl + "' is not a URL");
        }
      }
      maxTokenLifetime = maxTokenLifetime == null ? DEFAULT_MAX_LIFETIME : maxTokenLifetime;
      if (maxTokenLifetime.isZero() || maxTokenLifetime.isNegative()) {
        throw new IllegalArgumentException("max_token_lifetime: " + maxTokenLifetime + " (expected: > 0)");
      }
      namespaces = namespaces == null ? List.of() : List.copyOf(namespaces);
      serviceAccounts = serviceAccounts == null ? List.of() : List.copyOf(serviceAccounts);
      for (String sa : serviceAccounts) {
        if (!sa.matches("[a-z0-9][-a-z0-9]*/[a-z0-9][-a-z0-9.]*")) {
          throw new IllegalArgumentException("service_accounts: '" + sa + "' (expected: <namespace>/<name>)");
        }
      }
      allowUnbound = Boolean.TRUE.equals(allowUnbound);
      singleUse = Boolean.TRUE.equals(singleUse);
    }

    private static void required(String value, String name, String expected) {
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException(name + ": missing (expected: " + expected + ")");
      }
    }
  }
}
