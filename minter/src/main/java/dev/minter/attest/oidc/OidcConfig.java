package dev.minter.attest.oidc;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code attestors.oidc} section: the issuers whose tokens Minter accepts. Each token is routed to exactly one
 * issuer by its {@code iss}, so two entries may not share an {@code iss} (which one's rules would apply?) nor an
 * identity segment (two issuers' subjects would become the same identities).
 */
public record OidcConfig(@JsonProperty("issuers") List<IssuerConfig> issuers) {
  public OidcConfig {
    if (issuers == null || issuers.isEmpty()) {
      throw new IllegalArgumentException("issuers: at least one issuer is required");
    }
    issuers = List.copyOf(issuers);
    Map<String, String> bySegment = new HashMap<>();
    Map<String, Boolean> seen = new HashMap<>();
    for (IssuerConfig issuer : issuers) {
      if (seen.put(issuer.issuer(), true) != null) {
        throw new IllegalArgumentException("issuers: '" + issuer.issuer() + "' is configured twice");
      }
      String other = bySegment.put(issuer.segment(), issuer.issuer());
      if (other != null) {
        throw new IllegalArgumentException("issuers: '" + other + "' and '" + issuer.issuer() + "' both map to the"
            + " identity segment '" + issuer.segment() + "' (give one a distinct 'name')");
      }
    }
  }
}
