package dev.minter.task;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** A task that has just begun: what the agent is told. */
public record OpenedTask(String taskId, Instant expiresAt, Duration ttl, List<String> roles, String rule) {
  public OpenedTask {
    requireNonNull(taskId, "taskId");
    requireNonNull(expiresAt, "expiresAt");
    requireNonNull(ttl, "ttl");
    roles = List.copyOf(requireNonNull(roles, "roles"));
    requireNonNull(rule, "rule");
  }
}
