package dev.minter.ledger;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One agent of the inventory: an identity that attested to Minter (or that an operator registered before it did).
 *
 * @param identity the identity URI, as {@link dev.minter.attest.WorkloadIdentity#id()}
 * @param owner who answers for the agent (empty until registered)
 * @param description free text (empty until registered)
 * @param state lifecycle state
 * @param firstSeen when it first attested; null if registered but never seen
 * @param lastSeen when it last attested; null if registered but never seen
 * @param attestors the attestor kinds it was verified by
 * @param rolesUsed role → when a task of it last began with or minted that role
 * @param purposes the purposes it declared
 * @param stateReason why the state was last changed (empty if never)
 * @param stateChangedAt when the state was last changed; null if never
 */
public record AgentRecord(
    String identity,
    String owner,
    String description,
    AgentState state,
    Instant firstSeen,
    Instant lastSeen,
    Set<String> attestors,
    Map<String, Instant> rolesUsed,
    Set<String> purposes,
    String stateReason,
    Instant stateChangedAt) {
  public AgentRecord {
    requireNonNull(identity, "identity");
    owner = owner == null ? "" : owner;
    description = description == null ? "" : description;
    requireNonNull(state, "state");
    attestors = Set.copyOf(new TreeSet<>(requireNonNull(attestors, "attestors")));
    rolesUsed = Map.copyOf(new TreeMap<>(requireNonNull(rolesUsed, "rolesUsed")));
    purposes = Set.copyOf(new TreeSet<>(requireNonNull(purposes, "purposes")));
    stateReason = stateReason == null ? "" : stateReason;
  }

  /** Whether an operator has said who owns this agent. */
  public boolean hasOwner() {
    return !owner.isBlank();
  }
}
