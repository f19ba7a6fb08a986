package dev.minter.attest;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * Who a caller proved to be, for one call.
 *
 * @param id the normalized identity URI, e.g. {@code spiffe://corp.example/agents/research-bot}
 * @param attestorKind the {@link Attestor#kind()} that verified it, e.g. {@code x509_svid}
 * @param claims verified claims the policy may read later (never secrets)
 */
public record WorkloadIdentity(String id, String attestorKind, Map<String, String> claims) {
  public WorkloadIdentity {
    requireNonNull(id, "id");
    requireNonNull(attestorKind, "attestorKind");
    claims = Map.copyOf(requireNonNull(claims, "claims"));
  }

  /** The SPIFFE trust domain of {@link #id()}, e.g. {@code corp.example}. */
  public String trustDomain() {
    String rest = id.substring(id.indexOf("://") + 3);
    int slash = rest.indexOf('/');
    return slash < 0 ? rest : rest.substring(0, slash);
  }
}
