package dev.minter.policy;

import static java.util.Objects.requireNonNull;

import dev.minter.attest.WorkloadIdentity;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a caller asks for, as the policy sees it.
 *
 * @param identity the attested caller (its id, attestor kind and verified claims)
 * @param purpose the declared purpose of the task
 * @param roles the credential roles asked for
 * @param ttl the requested TTL; empty means "the rule's maximum"
 * @param context the rest the policy may read: time, labels, agent record, delegation, posture
 */
public record PolicyRequest(
    WorkloadIdentity identity, String purpose, List<String> roles, Optional<Duration> ttl, PolicyContext context) {
  public PolicyRequest {
    requireNonNull(identity, "identity");
    requireNonNull(purpose, "purpose");
    roles = List.copyOf(requireNonNull(roles, "roles"));
    requireNonNull(ttl, "ttl");
    requireNonNull(context, "context");
  }

  /** A request with no context but the epoch as its time: for tests of rules that read neither. */
  public PolicyRequest(WorkloadIdentity identity, String purpose, List<String> roles, Optional<Duration> ttl) {
    this(identity, purpose, roles, ttl, PolicyContext.at(Instant.EPOCH));
  }
}
