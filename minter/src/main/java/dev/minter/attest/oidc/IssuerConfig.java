package dev.minter.attest.oidc;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One trusted OIDC issuer in {@code attestors.oidc.issuers}.
 *
 * @param issuer the exact {@code iss} its tokens carry (an https URL)
 * @param audience the {@code aud} value its tokens must contain for Minter
 * @param jwksUri where its keys are published (set this, or {@code keysFile}, or neither for OIDC discovery at
 *     {@code <issuer>/.well-known/openid-configuration})
 * @param keysFile a local copy of its keys (JWKS, JSON map of PEM certificates, or PEM certificates)
 * @param identityClaims claims whose values become the identity's path segments, in order (default: {@code [sub]})
 * @param requiredClaims claims that must be present as strings with exactly these values
 * @param maxLifetime the longest {@code exp - iat} accepted (default 1h)
 * @param singleUse whether each token may attest only one call (default true; set false only for issuers that hand
 *     a job one token for its whole run, such as GitLab CI's {@code id_tokens})
 * @param name the identity segment naming this issuer (default: the issuer URL's host, with its port if any)
 */
public record IssuerConfig(
    @JsonProperty("issuer") String issuer,
    @JsonProperty("audience") String audience,
    @JsonProperty("jwks_uri") URI jwksUri,
    @JsonProperty("keys_file") Path keysFile,
    @JsonProperty("identity_claims") List<String> identityClaims,
    @JsonProperty("required_claims") Map<String, String> requiredClaims,
    @JsonProperty("max_lifetime") Duration maxLifetime,
    @JsonProperty("single_use") Boolean singleUse,
    @JsonProperty("name") String name) {
  public static final int MAX_IDENTITY_CLAIMS = 8;
  public static final Duration DEFAULT_MAX_LIFETIME = Duration.ofHours(1);

  public IssuerConfig {
    if (issuer == null || issuer.isBlank()) {
      throw new IllegalArgumentException("issuers: an entry has no 'issuer'");
    }
    String at = "issuer '" + issuer + "': ";
    URI uri;
    try {
      uri = URI.create(issuer);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(at + "not a URL");
    }
    // OIDC issuers are https URLs; the identity segment comes from the host, so it must exist.
    if (!"https".equals(uri.getScheme()) || uri.getHost() == null || uri.getRawQuery() != null
        || uri.getRawFragment() != null) {
      throw new IllegalArgumentException(at + "expected an https URL without query or fragment");
    }
    if (audience == null || audience.isBlank()) {
      throw new IllegalArgumentException(at + "audience is required (the aud value tokens are minted for Minter)");
    }
    if (jwksUri != null && keysFile != null) {
      // Neither: keys come from the issuer's OIDC discovery document.
      throw new IllegalArgumentException(at + "set at most one of jwks_uri and keys_file (neither: OIDC discovery)");
    }
    identityClaims = identityClaims == null ? List.of("sub") : identityClaims;
    if (identityClaims.isEmpty() || identityClaims.size() > MAX_IDENTITY_CLAIMS) {
      throw new IllegalArgumentException(at + "identity_claims: " + identityClaims.size() + " claims (expected: 1 to "
          + MAX_IDENTITY_CLAIMS + ")");
    }
    for (String claim : identityClaims) {
      if (claim == null || claim.isBlank()) {
        throw new IllegalArgumentException(at + "identity_claims: empty claim name");
      }
    }
    identityClaims = List.copyOf(identityClaims);
    if (new HashSet<>(identityClaims).size() != identityClaims.size()) {
      throw new IllegalArgumentException(at + "identity_claims: a claim is listed twice");
    }
    requiredClaims = requiredClaims == null ? Map.of() : requiredClaims;
    requiredClaims.forEach((k, v) -> {
      if (v == null) {
        throw new IllegalArgumentException(at + "required_claims." + k + ": empty (expected: the exact claim value)");
      }
    });
    requiredClaims = Collections.unmodifiableMap(new TreeMap<>(requiredClaims)); // checked in name order
    maxLifetime = maxLifetime == null ? DEFAULT_MAX_LIFETIME : maxLifetime;
    if (maxLifetime.isNegative() || maxLifetime.isZero() || maxLifetime.compareTo(Duration.ofDays(1)) > 0) {
      throw new IllegalArgumentException(at + "max_lifetime: " + maxLifetime + " (expected: > 0 and <= 24h)");
    }
    singleUse = singleUse == null ? Boolean.TRUE : singleUse;
    if (name == null) {
      name = uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
    } else if (name.isBlank()) {
      throw new IllegalArgumentException(at + "name: empty");
    }
  }

  /** The identity segment naming this issuer. */
  public String segment() {
    return name;
  }
}
