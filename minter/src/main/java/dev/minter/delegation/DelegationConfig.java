package dev.minter.delegation;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.minter.config.ConfigLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code delegation} section of Minter's configuration: which issuers' human → agent delegation tokens are
 * accepted (see docs/delegation-tokens.md). Without it, BeginTask refuses every delegation token.
 *
 * <pre>
 * delegation:
 *   audience: minter-prod           # tokens' aud must contain this
 *   max_token_lifetime: 1h          # exp - iat may not exceed this (default 1h, at most 24h)
 *   issuers:
 *     - issuer: https://idp.corp.example
 *       jwks_file: idp-keys.json    # or jwks_uri: https://…, or discovery: true (optional ca_file)
 * </pre>
 *
 * @param audience the value every token's {@code aud} must contain: names this Minter deployment, so a token minted
 *     for another service (or another Minter) is refused
 * @param maxTokenLifetime the longest {@code exp - iat}; delegation tokens are meant to be short-lived
 * @param issuers the trusted issuers, each {@code iss} at most once
 */
public record DelegationConfig(
    @JsonProperty("audience") String audience,
    @JsonProperty("max_token_lifetime") Duration maxTokenLifetime,
    @JsonProperty("issuers") List<DelegationIssuerConfig> issuers) {
  public static final Duration DEFAULT_MAX_TOKEN_LIFETIME = Duration.ofHours(1);
  public static final Duration LONGEST_MAX_TOKEN_LIFETIME = Duration.ofDays(1);

  public DelegationConfig {
    if (audience == null || audience.isBlank()) {
      throw new IllegalArgumentException("delegation.audience is required (the aud value delegation tokens are"
          + " minted for this Minter)");
    }
    maxTokenLifetime = maxTokenLifetime == null ? DEFAULT_MAX_TOKEN_LIFETIME : maxTokenLifetime;
    if (maxTokenLifetime.isNegative() || maxTokenLifetime.isZero()
        || maxTokenLifetime.compareTo(LONGEST_MAX_TOKEN_LIFETIME) > 0) {
      throw new IllegalArgumentException("delegation.max_token_lifetime: " + maxTokenLifetime
          + " (expected: > 0 and <= 24h)");
    }
    if (issuers == null || issuers.isEmpty()) {
      throw new IllegalArgumentException("delegation.issuers: at least one issuer is required");
    }
    issuers = List.copyOf(issuers);
    Set<String> seen = new HashSet<>();
    for (DelegationIssuerConfig issuer : issuers) {
      if (!seen.add(issuer.issuer())) {
        throw new IllegalArgumentException("delegation.issuers: '" + issuer.issuer() + "' is configured twice");
      }
    }
  }

  /**
   * Reads the section with the main file's rules (unknown keys are errors, relative paths resolve against
   * {@code baseDir}).
   *
   * @throws IllegalArgumentException naming the offending setting
   */
  public static DelegationConfig from(JsonNode section, Path baseDir) {
    try {
      return ConfigLoader.convert(section, DelegationConfig.class, baseDir);
    } catch (IllegalArgumentException e) {
      String message = e.getMessage() == null ? "" : e.getMessage();
      throw new IllegalArgumentException(
          message.startsWith("delegation") ? message : "delegation: " + message, e);
    }
  }
}
