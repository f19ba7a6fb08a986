package dev.minter.task;

import static java.util.Objects.requireNonNull;

import dev.minter.policy.DelegationView;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A task that has just begun: what the agent is told.
 *
 * @param chain the delegation chain, first delegator first, ending with the task's own agent
 * @param parentTaskId for a child task: the task that delegated; empty otherwise
 */
public record OpenedTask(
    String taskId,
    Instant expiresAt,
    Duration ttl,
    List<String> roles,
    String rule,
    List<DelegationView.Link> chain,
    String parentTaskId) {
  public OpenedTask {
    requireNonNull(taskId, "taskId");
    requireNonNull(expiresAt, "expiresAt");
    requireNonNull(ttl, "ttl");
    roles = List.copyOf(requireNonNull(roles, "roles"));
    requireNonNull(rule, "rule");
    chain = List.copyOf(requireNonNull(chain, "chain"));
    requireNonNull(parentTaskId, "parentTaskId");
  }

  /** An undelegated task (no chain reported). */
  public OpenedTask(String taskId, Instant expiresAt, Duration ttl, List<String> roles, String rule) {
    this(taskId, expiresAt, ttl, roles, rule, List.of(), "");
  }
}
