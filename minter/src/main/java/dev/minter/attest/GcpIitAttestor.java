package dev.minter.attest;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.minter.attest.AttestationResult.Rejected;
import dev.minter.attest.AttestationResult.Verified;
import dev.minter.attest.gcp.ComputeEngine;
import dev.minter.attest.gcp.GcpIitConfig;
import dev.minter.attest.jwt.JwkSource;
import dev.minter.attest.jwt.JwtResult;
import dev.minter.attest.jwt.JwtRules;
import dev.minter.attest.jwt.JwtVerifier;
import dev.minter.attest.oidc.KeySources;
import dev.minter.attest.oidc.Tokens;
import dev.minter.config.ConfigLoader;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Verifies a Google Compute Engine instance identity token: the RS256 JWT an instance gets from its metadata server
 * ({@code /computeMetadata/v1/instance/service-accounts/default/identity?audience=<audience>&format=full}), signed by
 * Google. Checked: Google's signature (keys from {@code keys_file} or {@code jwks_uri}, via {@link JwtVerifier}),
 * issuer {@code https://accounts.google.com}, {@code aud} equal to the configured audience, {@code exp}, an
 * {@code iat} no older than {@code max_age}, the {@code format=full} instance claims, and the project, zone and
 * service-account allow-lists. The identity is {@code spiffe://<domain>/gcp/<project_id>/<instance_name>}.
 *
 * <p>A token is a bearer credential valid for an hour, and it is not bound to a Minter challenge. So each token is
 * accepted <em>once</em> (by the hash of what Google signed, kept until the freshness window closes) and only while
 * fresh: a token captured in transit or read from a log cannot be used again here. Instances ask the metadata server
 * for a new token for every call; it hands them out cheaply.
 */
public final class GcpIitAttestor implements Attestor {
  public static final String KIND = "gcp_iit";
  /**
   * Google's ID tokens carry either spelling (its OpenID documentation tells verifiers to accept both); instance
   * identity tokens use the URL form.
   */
  static final Set<String> GOOGLE_ISSUERS = Set.of("https://accounts.google.com", "accounts.google.com");
  /** Instance identity tokens are valid for exactly one hour. */
  static final Duration GOOGLE_TOKEN_LIFETIME = Duration.ofHours(1);

  private final GcpIitConfig config;
  private final JwkSource googleKeys;
  private final AttestorEnvironment env;
  private final JwtVerifier verifier;
  private final JwtRules rules;

  public GcpIitAttestor(GcpIitConfig config, JwkSource googleKeys, AttestorEnvironment env) {
    this.config = requireNonNull(config, "config");
    this.googleKeys = requireNonNull(googleKeys, "googleKeys");
    this.env = requireNonNull(env, "env");
    this.verifier = new JwtVerifier(env.clock(), env.skew());
    this.rules = new JwtRules(GOOGLE_ISSUERS, config.audience(), Optional.of(GOOGLE_TOKEN_LIFETIME), true);
  }

  /** Builds the attestor from its {@code attestors.gcp_iit} section, with Google's keys from the file or URL. */
  public static GcpIitAttestor create(JsonNode config, AttestorEnvironment env) {
    GcpIitConfig parsed = ConfigLoader.convert(config, GcpIitConfig.class, env.baseDir());
    return new GcpIitAttestor(
        parsed, KeySources.fromConfig(parsed.keysFile(), parsed.jwksUri(), env.http(), env.clock()), env);
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public AttestationResult attest(Evidence evidence) {
    if (!KIND.equals(evidence.kind())) {
      return Rejected.malformed(KIND, "evidence kind " + Reasons.quote(evidence.kind()) + " is not " + KIND);
    }
    String token = Tokens.fromPayload(evidence.payload());
    JWTClaimsSet claims;
    String replayKey; // the signing input's hash: the signature part of a JWT is malleable
    switch (verifier.verify(token, rules, googleKeys)) {
      case JwtResult.Invalid invalid -> {
        return invalid.malformed() ? Rejected.malformed(KIND, invalid.reason()) : new Rejected(KIND, invalid.reason());
      }
      case JwtResult.Valid valid -> {
        claims = valid.claims();
        replayKey = valid.tokenHash();
      }
    }
    Instant issuedAt = claims.getIssueTime().toInstant();
    Instant freshUntil = issuedAt.plus(config.maxAge()).plus(env.skew());
    if (!freshUntil.isAfter(env.clock().instant())) {
      return new Rejected(KIND, "token issued at " + issuedAt + " is older than max_age " + config.maxAge()
          + " (request a fresh token for every call)");
    }
    ComputeEngine instance;
    try {
      instance = ComputeEngine.from(claims);
    } catch (IllegalArgumentException e) {
      return Rejected.malformed(KIND, e.getMessage());
    }
    if (!config.projects().contains(instance.projectId())) {
      return new Rejected(KIND, "project " + Reasons.quote(instance.projectId()) + " is not in projects");
    }
    if (!config.zones().isEmpty() && !config.zones().contains(instance.zone())) {
      return new Rejected(KIND, "zone " + Reasons.quote(instance.zone()) + " is not in zones");
    }
    if (!config.serviceAccounts().isEmpty() && !config.serviceAccounts().contains(instance.serviceAccount())) {
      return new Rejected(KIND, "service account " + Reasons.quote(instance.serviceAccount())
          + " is not in service_accounts");
    }
    // Last, so tokens that fail any other check never occupy the replay guard.
    if (!env.replay().firstUse(KIND, replayKey, freshUntil)) {
      return Rejected.replayed(KIND, "instance identity token was already used (request a fresh token for every call)");
    }
    String id = IdentityUris.of(env.identityDomain(), "gcp", instance.projectId(), instance.instanceName());
    return new Verified(new WorkloadIdentity(id, KIND, Map.of(
        "gcp.project_id", instance.projectId(),
        "gcp.project_number", instance.projectNumber(),
        "gcp.zone", instance.zone(),
        "gcp.instance_id", instance.instanceId(),
        "gcp.instance_name", instance.instanceName(),
        "gcp.service_account", instance.serviceAccount(),
        "gcp.service_account_id", instance.serviceAccountId())));
  }
}
