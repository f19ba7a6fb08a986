package dev.minter.attest;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.minter.attest.AttestationResult.Rejected;
import dev.minter.attest.AttestationResult.Verified;
import dev.minter.attest.jwt.JwtResult;
import dev.minter.attest.jwt.JwtVerifier;
import dev.minter.attest.oidc.ClaimStrings;
import dev.minter.attest.oidc.IssuerConfig;
import dev.minter.attest.bundle.RefreshOptions;
import dev.minter.attest.bundle.RefreshingJwkSource;
import dev.minter.attest.jwt.JwkSource;
import dev.minter.attest.oidc.KeySources;
import java.net.URI;
import dev.minter.attest.oidc.OidcConfig;
import dev.minter.attest.oidc.OidcIssuer;
import dev.minter.attest.oidc.Tokens;
import dev.minter.config.ConfigLoader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Verifies an OIDC ID token from any configured issuer with published keys: GitHub Actions, GitLab CI, a cloud's
 * workload identity, an in-house IdP. The token's {@code iss} picks exactly one configured issuer; its signature,
 * algorithm, time claims, issuer and audience are checked by {@link JwtVerifier} with that issuer's keys only, so an
 * issuer can never vouch for another issuer's subjects. Then the issuer's exact-match {@code required_claims} must
 * hold, and its {@code identity_claims} become the identity:
 * {@code spiffe://<domain>/oidc/<issuer host>/<claim value>/…}, each value one escaped segment.
 *
 * <p>Tokens are bearer credentials that the issuer hands to a job, and a job's logs, artifacts or a compromised
 * step can leak them. With {@code single_use} (the default) each token attests one call, so a leaked token that was
 * already used is worthless; tokens are accepted until {@code exp} and the lifetime is capped by
 * {@code max_lifetime}.
 */
public final class OidcAttestor implements Attestor {
  public static final String KIND = "oidc";
  /** Longest claim value accepted as an identity segment. */
  public static final int MAX_SEGMENT_LENGTH = 255;

  private final Map<String, OidcIssuer> byIssuer = new HashMap<>();
  private final JwtVerifier verifier;
  private final AttestorEnvironment env;

  /** @param issuers the trusted issuers; their {@code iss} values and identity segments must be distinct */
  public OidcAttestor(List<OidcIssuer> issuers, AttestorEnvironment env) {
    this.env = requireNonNull(env, "env");
    // Re-check distinctness here too: issuers may come from somewhere other than OidcConfig.
    new OidcConfig(issuers.stream().map(OidcIssuer::config).toList());
    issuers.forEach(i -> byIssuer.put(i.config().issuer(), i));
    this.verifier = new JwtVerifier(env.clock(), env.skew());
  }

  /** Builds the attestor from its {@code attestors.oidc} section, with keys from each issuer's file or URL. */
  public static OidcAttestor create(JsonNode config, AttestorEnvironment env) {
    OidcConfig parsed = ConfigLoader.convert(config, OidcConfig.class, env.baseDir());
    List<OidcIssuer> issuers = new ArrayList<>();
    for (IssuerConfig issuer : parsed.issuers()) {
      try {
        JwkSource keys =
            issuer.keysFile() == null && issuer.jwksUri() == null
                ? RefreshingJwkSource.forIssuerDiscovery(
                    URI.create(issuer.issuer()), env.http(), env.clock(), RefreshOptions.defaults())
                : KeySources.fromConfig(issuer.keysFile(), issuer.jwksUri(), env.http(), env.clock());
        issuers.add(new OidcIssuer(issuer, keys));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("issuer '" + issuer.issuer() + "': " + e.getMessage(), e);
      }
    }
    return new OidcAttestor(issuers, env);
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
    Optional<String> iss = Tokens.peekIssuer(token);
    if (iss.isEmpty()) {
      return Rejected.malformed(KIND, "not a compact JWS whose payload has a string 'iss' claim");
    }
    OidcIssuer issuer = byIssuer.get(iss.get());
    if (issuer == null) {
      return new Rejected(KIND, "issuer " + Reasons.quote(iss.get()) + " is not configured");
    }
    IssuerConfig config = issuer.config();
    JWTClaimsSet claims;
    String replayKey; // the signing input's hash: the signature part of a JWT is malleable
    switch (verifier.verify(token, issuer.rules(), issuer.keys())) {
      case JwtResult.Invalid invalid -> {
        return invalid.malformed() ? Rejected.malformed(KIND, invalid.reason()) : new Rejected(KIND, invalid.reason());
      }
      case JwtResult.Valid valid -> {
        claims = valid.claims();
        replayKey = valid.tokenHash();
      }
    }
    for (Map.Entry<String, String> required : config.requiredClaims().entrySet()) {
      Object actual = claims.getClaim(required.getKey());
      if (!required.getValue().equals(actual)) {
        return new Rejected(KIND, "claim " + Reasons.quote(required.getKey()) + " is "
            + (actual == null ? "missing" : Reasons.quote(String.valueOf(actual)))
            + " (required: " + Reasons.quote(required.getValue()) + ")");
      }
    }
    List<String> segments = new ArrayList<>();
    segments.add(KIND);
    segments.add(config.segment());
    for (String name : config.identityClaims()) {
      if (!(claims.getClaim(name) instanceof String value) || value.isEmpty() || value.length() > MAX_SEGMENT_LENGTH) {
        return Rejected.malformed(KIND, "claim " + Reasons.quote(name) + " (part of the identity) is missing, empty,"
            + " not a string or longer than " + MAX_SEGMENT_LENGTH + " characters");
      }
      segments.add(value);
    }
    if (config.singleUse()
        && !env.replay().firstUse(KIND, replayKey, claims.getExpirationTime().toInstant().plus(env.skew()))) {
      return Rejected.replayed(KIND, "token from " + Reasons.quote(config.issuer()) + " was already used (issuer is"
          + " single_use: request a fresh token for every call)");
    }
    String id = IdentityUris.of(env.identityDomain(), segments.toArray(String[]::new));
    return new Verified(new WorkloadIdentity(id, KIND, ClaimStrings.copy("oidc.", claims.getClaims())));
  }
}
