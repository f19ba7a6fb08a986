package dev.minter.task;

import static java.util.Objects.requireNonNull;

import dev.minter.vault.Secret;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What an agent asks for when it begins a task (already out of the wire format, not yet validated).
 *
 * @param purpose the declared purpose
 * @param ttl the requested lifetime; empty means the policy rule's maximum
 * @param roles the credential roles the task will need
 * @param labels free labels for the ledger and the audit log
 * @param delegationToken a human → agent delegation token (RFC 8693 shape), if the caller acts for a person
 * @param delegationGrant a grant from {@code Delegate}, if this is to be a child task
 */
public record BeginTaskCommand(
    String purpose,
    Optional<Duration> ttl,
    List<String> roles,
    Map<String, String> labels,
    Optional<Secret> delegationToken,
    Optional<Secret> delegationGrant) {
  public BeginTaskCommand {
    requireNonNull(purpose, "purpose");
    requireNonNull(ttl, "ttl");
    roles = List.copyOf(requireNonNull(roles, "roles"));
    labels = Map.copyOf(requireNonNull(labels, "labels"));
    requireNonNull(delegationToken, "delegationToken");
    requireNonNull(delegationGrant, "delegationGrant");
  }

  /** An undelegated request. */
  public BeginTaskCommand(String purpose, Optional<Duration> ttl, List<String> roles, Map<String, String> labels) {
    this(purpose, ttl, roles, labels, Optional.empty(), Optional.empty());
  }
}
