package dev.minter.api;

import static dev.minter.task.TaskException.Kind.INVALID;

import com.google.protobuf.Timestamp;
import dev.minter.ledger.TaskQuery;
import dev.minter.ledger.TaskState;
import dev.minter.policy.Glob;
import dev.minter.proto.v1.TaskSelector;
import dev.minter.task.TaskException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * A wire {@link TaskSelector} as a ledger {@link TaskQuery}. Revoking demands a non-empty selector: an empty one is
 * refused rather than read as "everything", which must be asked for with {@code all}.
 */
final class Selectors {
  private Selectors() {}

  /** For listing: an empty selector lists every task, in any state unless one is given. */
  static TaskQuery forList(TaskSelector s, Function<String, Set<String>> ownedBy) {
    return query(s, state(s.getState()), ownedBy);
  }

  /** For revoking: only open tasks, and only with at least one field set or {@code all}. */
  static TaskQuery forRevoke(TaskSelector s, Function<String, Set<String>> ownedBy) {
    if (!s.getAll() && describeFields(s).isEmpty()) {
      throw new TaskException(INVALID,
          "selector: empty (expected: at least one of task_id, agent, owner, delegator, purpose, role, attestor, source,"
              + " subtree, or all=true)");
    }
    Optional<TaskState> state = state(s.getState());
    if (state.isPresent() && state.get() != TaskState.OPEN) {
      throw new TaskException(INVALID, "selector.state: " + state.get() + " (expected: OPEN; only open tasks are revoked)");
    }
    return query(s, Optional.of(TaskState.OPEN), ownedBy);
  }

  /** The selector's set fields as {@code name=value} pairs, for the audit record's subject. */
  static String describe(TaskSelector s) {
    List<String> parts = describeFields(s);
    if (s.getAll()) {
      parts.add(0, "all");
    }
    if (s.getState() != dev.minter.proto.v1.TaskState.TASK_STATE_UNSPECIFIED) {
      parts.add("state=" + s.getState().name());
    }
    if (s.hasCreatedAfter()) {
      parts.add("created_after=" + instant(s.getCreatedAfter()));
    }
    if (s.hasCreatedBefore()) {
      parts.add("created_before=" + instant(s.getCreatedBefore()));
    }
    return String.join(" ", parts);
  }

  private static List<String> describeFields(TaskSelector s) {
    List<String> parts = new ArrayList<>();
    add(parts, "task_id", s.getTaskId());
    add(parts, "agent", s.getAgent());
    add(parts, "owner", s.getOwner());
    add(parts, "delegator", s.getDelegator());
    add(parts, "purpose", s.getPurpose());
    add(parts, "role", s.getRole());
    add(parts, "attestor", s.getAttestor());
    add(parts, "source", s.getSource());
    add(parts, "subtree", s.getSubtree());
    return parts;
  }

  /**
   * {@code ownedBy}: the identities the agent inventory lists for an owner (owner selection). {@code subtree} selects
   * the task and every descendant; {@code delegator} every task with that subject in its delegation chain.
   */
  private static TaskQuery query(TaskSelector s, Optional<TaskState> state, Function<String, Set<String>> ownedBy) {
    return new TaskQuery(
        text(s.getTaskId()),
        text(s.getAgent()).map(Glob::compile),
        text(s.getPurpose()).map(Glob::compile),
        text(s.getRole()),
        text(s.getAttestor()),
        text(s.getSource()).map(TaskQuery.Claim::parse),
        state,
        s.hasCreatedAfter() ? Optional.of(instant(s.getCreatedAfter())) : Optional.empty(),
        s.hasCreatedBefore() ? Optional.of(instant(s.getCreatedBefore())) : Optional.empty(),
        text(s.getOwner()).map(ownedBy),
        text(s.getSubtree()),
        text(s.getDelegator()));
  }

  static Optional<TaskState> state(dev.minter.proto.v1.TaskState state) {
    return switch (state) {
      case TASK_STATE_UNSPECIFIED -> Optional.empty();
      case TASK_STATE_OPEN -> Optional.of(TaskState.OPEN);
      case TASK_STATE_COMPLETED -> Optional.of(TaskState.COMPLETED);
      case TASK_STATE_REVOKED -> Optional.of(TaskState.REVOKED);
      case TASK_STATE_EXPIRED -> Optional.of(TaskState.EXPIRED);
      case UNRECOGNIZED -> throw new TaskException(INVALID, "selector.state: unrecognized value");
    };
  }

  private static Optional<String> text(String value) {
    return value.isEmpty() ? Optional.empty() : Optional.of(value);
  }

  private static void add(List<String> parts, String name, String value) {
    if (!value.isEmpty()) {
      parts.add(name + "=" + value);
    }
  }

  private static Instant instant(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }
}
