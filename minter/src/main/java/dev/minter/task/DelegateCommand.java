package dev.minter.task;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What an agent asks for when it hands part of its open task to a sub-agent (out of the wire format, not yet
 * validated).
 *
 * @param taskId the caller's own open task
 * @param subAgent the identity URI the sub-agent will attest as; only it can redeem the grant
 * @param roles the delegated roles: a non-empty subset of the task's roles
 * @param purposes the purposes the child may declare; empty means the task's own purpose
 * @param ttl the longest TTL the child may have; empty means the task's remaining time
 */
public record DelegateCommand(
    String taskId, String subAgent, List<String> roles, List<String> purposes, Optional<Duration> ttl) {
  public DelegateCommand {
    requireNonNull(taskId, "taskId");
    requireNonNull(subAgent, "subAgent");
    roles = List.copyOf(requireNonNull(roles, "roles"));
    purposes = List.copyOf(requireNonNull(purposes, "purposes"));
    requireNonNull(ttl, "ttl");
  }
}
