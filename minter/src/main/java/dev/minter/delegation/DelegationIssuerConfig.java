package dev.minter.delegation;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.net.URI;
import java.nio.file.Path;

/**
 * One issuer whose delegation tokens Minter accepts ({@code delegation.issuers[]}): an identity provider or an
 * approval service that signs "this person lets that agent act for them" tokens.
 *
 * @param issuer the exact {@code iss} its tokens carry
 * @param jwksFile a local JWKS (or PEM public keys) with its verification keys, re-read when it changes
 * @param jwksUri an https URL publishing its JWKS, fetched and refreshed in the background
 * @param discovery true: find the JWKS through OpenID Connect discovery at
 *     {@code <issuer>/.well-known/openid-configuration} (the issuer must then be an https URL)
 * @param caFile a PEM bundle of the only CAs trusted for {@code jwks_uri} / discovery (optional; default: the JDK's)
 */
public record DelegationIssuerConfig(
    @JsonProperty("issuer") String issuer,
    @JsonProperty("jwks_file") Path jwksFile,
    @JsonProperty("jwks_uri") URI jwksUri,
    @JsonProperty("discovery") Boolean discovery,
    @JsonProperty("ca_file") Path caFile) {
  /** Longest accepted issuer string. */
  public static final int MAX_ISSUER_LENGTH = 256;

  public DelegationIssuerConfig {
    if (issuer == null || issuer.isBlank()) {
      throw new IllegalArgumentException("delegation.issuers: an entry has no 'issuer'");
    }
    String at = "delegation.issuers['" + issuer + "']: ";
    if (issuer.length() > MAX_ISSUER_LENGTH || !issuer.matches("[\\x21-\\x7e]+")) {
      throw new IllegalArgumentException(at + "issuer must be printable ASCII without spaces, at most "
          + MAX_ISSUER_LENGTH + " characters");
    }
    discovery = discovery != null && discovery;
    int sources = (jwksFile != null ? 1 : 0) + (jwksUri != null ? 1 : 0) + (discovery ? 1 : 0);
    if (sources != 1) {
      // Exactly one place for keys: two would leave the operator unsure which keys are trusted.
      throw new IllegalArgumentException(at + "set exactly one of jwks_file, jwks_uri and discovery: true");
    }
    if (caFile != null && jwksFile != null) {
      throw new IllegalArgumentException(at + "ca_file applies only to jwks_uri or discovery");
    }
  }
}
