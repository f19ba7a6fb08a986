package dev.minter.policy;

import static java.util.Objects.requireNonNull;

import dev.minter.attest.WorkloadIdentity;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What a caller asks for, as the policy sees it.
 *
 * @param identity the attested caller
 * @param purpose the declared purpose of the task
 * @param roles the credential roles asked for
 * @param ttl the requested TTL; empty means "the rule's maximum"
 */
public record PolicyRequest(
    WorkloadIdentity identity, String purpose, List<String> roles, Optional<Duration> ttl) {
  public PolicyRequest {
    requireNonNull(identity, "identity");
    requireNonNull(purpose, "purpose");
    roles = List.copyOf(requireNonNull(roles, "roles"));
    requireNonNull(ttl, "ttl");
  }
}
