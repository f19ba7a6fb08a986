package dev.minter.policy;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * The agent inventory's record of the caller, as the policy reads it ({@code agent.*} in conditions).
 *
 * @param owner who answers for the agent; empty when unregistered
 * @param status the lifecycle state in lower case: {@code active}, {@code suspended}, {@code retired}
 * @param firstSeen when it first attested, if ever
 * @param lastSeen when it last attested before this call, if ever
 */
public record AgentView(String owner, String status, Optional<Instant> firstSeen, Optional<Instant> lastSeen) {
  /** An identity the inventory does not know yet (its first call). */
  public static final AgentView UNKNOWN = new AgentView("", "active", Optional.empty(), Optional.empty());

  public AgentView {
    requireNonNull(owner, "owner");
    requireNonNull(status, "status");
    requireNonNull(firstSeen, "firstSeen");
    requireNonNull(lastSeen, "lastSeen");
  }
}
