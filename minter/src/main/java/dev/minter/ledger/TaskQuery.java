package dev.minter.ledger;

import static java.util.Objects.requireNonNull;

import dev.minter.policy.Glob;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * Which tasks a ledger query returns. Every present field must match; an absent one matches anything, so {@link
 * #ANY} is every task. Deciding whether "everything" is what an operator meant is the caller's job, not the query's.
 *
 * @param taskId exactly this task
 * @param agent a {@link Glob} over the agent's identity URI ({@code *} within a segment, {@code **} across)
 * @param purpose a {@link Glob} over the declared purpose
 * @param role a role name the task was granted
 * @param attestor the attestor kind that verified the agent, e.g. {@code aws_iid}
 * @param claim an attestation source: a verified claim the agent presented when it began the task
 * @param state the task's state
 * @param createdAfter created at or after this instant
 * @param createdBefore created strictly before this instant
 * @param agents the agent is one of these identities (an owner's agents, from the inventory)
 * @param subtree this task and all its descendants (its delegation subtree); matched by the ledger, which knows the
 *     task tree, not by {@link #matches}
 * @param delegator a delegator in the task's chain: a human's {@code sub} or an agent's identity URI, exactly (the
 *     task's own agent is not its delegator)
 */
public record TaskQuery(
    Optional<String> taskId,
    Optional<Glob> agent,
    Optional<Glob> purpose,
    Optional<String> role,
    Optional<String> attestor,
    Optional<Claim> claim,
    Optional<TaskState> state,
    Optional<Instant> createdAfter,
    Optional<Instant> createdBefore,
    Optional<Set<String>> agents,
    Optional<String> subtree,
    Optional<String> delegator) {
  /** Every task. */
  public static final TaskQuery ANY =
      new TaskQuery(
          Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
          Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

  public TaskQuery {
    requireNonNull(taskId, "taskId");
    requireNonNull(agent, "agent");
    requireNonNull(purpose, "purpose");
    requireNonNull(role, "role");
    requireNonNull(attestor, "attestor");
    requireNonNull(claim, "claim");
    requireNonNull(state, "state");
    requireNonNull(createdAfter, "createdAfter");
    requireNonNull(createdBefore, "createdBefore");
    agents = requireNonNull(agents, "agents").map(Set::copyOf);
    requireNonNull(subtree, "subtree");
    requireNonNull(delegator, "delegator");
  }

  /** This query restricted to tasks in {@code newState}. */
  public TaskQuery withState(TaskState newState) {
    return new TaskQuery(
        taskId, agent, purpose, role, attestor, claim, Optional.of(newState), createdAfter, createdBefore, agents,
        subtree, delegator);
  }

  /** Whether {@code task} matches every present field but {@code subtree} (which needs the task tree: the ledger's). */
  public boolean matches(TaskRecord task) {
    return taskId.map(task.taskId()::equals).orElse(true)
        && agent.map(g -> g.matches(task.agent())).orElse(true)
        && purpose.map(g -> g.matches(task.purpose())).orElse(true)
        && role.map(task.roles()::contains).orElse(true)
        && attestor.map(task.attestorKind()::equals).orElse(true)
        && claim.map(c -> c.value().equals(task.claims().get(c.key()))).orElse(true)
        && state.map(s -> s == task.state()).orElse(true)
        && createdAfter.map(t -> !task.createdAt().isBefore(t)).orElse(true)
        && createdBefore.map(t -> task.createdAt().isBefore(t)).orElse(true)
        && agents.map(set -> set.contains(task.agent())).orElse(true)
        && delegator.map(d -> task.delegation().chain().stream().anyMatch(l -> l.subject().equals(d))).orElse(true);
  }

  /** A verified claim, e.g. {@code aws.instance_id = i-0abc}; matched exactly. */
  public record Claim(String key, String value) {
    public Claim {
      requireNonNull(key, "key");
      requireNonNull(value, "value");
      if (key.isEmpty()) {
        throw new IllegalArgumentException("claim key: empty (expected: key=value)");
      }
    }

    /** Parses {@code key=value}; the value may itself contain {@code =}. */
    public static Claim parse(String source) {
      int eq = requireNonNull(source, "source").indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("source: '" + source + "' (expected: claim=value, e.g. aws.instance_id=i-123)");
      }
      return new Claim(source.substring(0, eq), source.substring(eq + 1));
    }

    @Override
    public String toString() {
      return key + "=" + value;
    }
  }
}
