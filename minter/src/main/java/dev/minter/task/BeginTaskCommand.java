package dev.minter.task;

import static java.util.Objects.requireNonNull;

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
 */
public record BeginTaskCommand(
    String purpose, Optional<Duration> ttl, List<String> roles, Map<String, String> labels) {
  public BeginTaskCommand {
    requireNonNull(purpose, "purpose");
    requireNonNull(ttl, "ttl");
    roles = List.copyOf(requireNonNull(roles, "roles"));
    labels = Map.copyOf(requireNonNull(labels, "labels"));
  }
}
