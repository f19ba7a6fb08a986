package dev.minter.attest.gcp;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * The {@code attestors.gcp_iit} section.
 *
 * @param audience the {@code audience} instances request their token for; the token's {@code aud} must equal it
 * @param keysFile Google's signing keys as a file (JWKS or the JSON map of PEM certificates); or
 * @param jwksUri where to fetch them (default: Google's JWKS endpoint when neither is set)
 * @param projects project ids whose instances may attest (required: Google signs tokens for every GCE instance in
 *     the world, so without this any VM anywhere would be accepted)
 * @param zones zones instances must run in (empty: any)
 * @param serviceAccounts service-account e-mails the instance must run as (empty: any)
 * @param maxAge how old a token's {@code iat} may be (default 5m, plus the clock skew)
 */
public record GcpIitConfig(
    @JsonProperty("audience") String audience,
    @JsonProperty("keys_file") Path keysFile,
    @JsonProperty("jwks_uri") URI jwksUri,
    @JsonProperty("projects") Set<String> projects,
    @JsonProperty("zones") Set<String> zones,
    @JsonProperty("service_accounts") Set<String> serviceAccounts,
    @JsonProperty("max_age") Duration maxAge) {
  /** Google's published JWKS for tokens it signs as {@code https://accounts.google.com}. */
  public static final URI GOOGLE_JWKS = URI.create("https://www.googleapis.com/oauth2/v3/certs");

  public static final Duration DEFAULT_MAX_AGE = Duration.ofMinutes(5);

  public GcpIitConfig {
    if (audience == null || audience.isBlank()) {
      throw new IllegalArgumentException("audience: required (the audience instances request their token for)");
    }
    if (keysFile != null && jwksUri != null) {
      throw new IllegalArgumentException("set at most one of keys_file and jwks_uri");
    }
    if (keysFile == null && jwksUri == null) {
      jwksUri = GOOGLE_JWKS;
    }
    if (projects == null || projects.isEmpty()) {
      throw new IllegalArgumentException("projects: required (the project ids whose instances may attest)");
    }
    projects = Set.copyOf(projects);
    zones = zones == null ? Set.of() : Set.copyOf(zones);
    serviceAccounts = serviceAccounts == null ? Set.of() : Set.copyOf(serviceAccounts);
    maxAge = maxAge == null ? DEFAULT_MAX_AGE : maxAge;
    // Instance identity tokens live one hour; a window beyond that means nothing.
    if (maxAge.isNegative() || maxAge.isZero() || maxAge.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException("max_age: " + maxAge + " (expected: > 0 and <= 1h)");
    }
  }
}
