package dev.minter.ledger;

import static java.util.Objects.requireNonNull;

import dev.minter.policy.DelegationView;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The reads of {@link SqliteLedger} that return many tasks: expired and per-agent open tasks, the paged
 * {@link TaskQuery} search (subtree and delegator included), a task's children, and an agent's delegators. Holds the
 * ledger's {@link LedgerLock}, its {@link LedgerRows} mapper (which opens sealed tokens), and the ledger's single-task
 * lookup, used to resolve a page token.
 */
final class SqliteTaskSearch {
  /** How many of an agent's most recent delegated tasks {@link #delegatorsOf} reads. */
  static final int DELEGATORS_SCAN = 10_000;

  private final LedgerLock lock;
  private final LedgerRows rows;
  private final Function<String, Optional<TaskRecord>> findTask;

  SqliteTaskSearch(LedgerLock lock, LedgerRows rows, Function<String, Optional<TaskRecord>> findTask) {
    this.lock = requireNonNull(lock, "lock");
    this.rows = requireNonNull(rows, "rows");
    this.findTask = requireNonNull(findTask, "findTask");
  }

  List<TaskRecord> openTasksExpiredAt(Instant now) {
    requireNonNull(now, "now");
    return lock.locked("openTasksExpiredAt", "tasks expired at " + now, c -> selectTasks(c,
        "state = 'OPEN' AND expires_at <= ? ORDER BY expires_at, task_id", now.toEpochMilli()));
  }

  List<TaskRecord> openTasksOf(String identity) {
    requireNonNull(identity, "identity");
    return lock.locked("openTasksOf", "agent " + identity, c -> selectTasks(c,
        "agent = ? AND state = 'OPEN' ORDER BY created_at, task_id", identity));
  }

  /** Tasks matching {@code whereAndOrder} (a WHERE clause and ORDER BY with {@code ?} for each parameter). */
  private List<TaskRecord> selectTasks(Connection c, String whereAndOrder, Object... parameters) throws SQLException {
    try (PreparedStatement select =
        c.prepareStatement("SELECT " + LedgerRows.TASK_COLUMNS + " FROM tasks WHERE " + whereAndOrder)) {
      for (int i = 0; i < parameters.length; i++) {
        select.setObject(i + 1, parameters[i]);
      }
      List<TaskRecord> found = new ArrayList<>();
      try (ResultSet row = select.executeQuery()) {
        while (row.next()) {
          found.add(rows.task(row));
        }
      }
      return List.copyOf(found);
    }
  }

  /**
   * Exact fields (id, state, attestor, time range, and globs without a wildcard) filter in SQL; wildcard globs, roles
   * and claims are matched in Java on each batch, so a page may take several batches to fill. Keyset paging on
   * {@code (created_at, task_id)} keeps pages stable while tasks are added or ended. The lock is held per batch, not
   * per page, so a long scan for a rare match never stalls minting and revoking.
   */
  List<TaskRecord> findTasks(TaskQuery query, int limit, String afterTaskId) {
    requireNonNull(query, "query");
    if (limit <= 0) {
      throw new IllegalArgumentException("limit: " + limit + " (expected: > 0)");
    }
    TaskRecord start = afterTaskId == null ? null : findTask.apply(afterTaskId)
        .orElseThrow(() -> new IllegalArgumentException("page token: unknown task " + afterTaskId));
    long[] afterCreated = {start == null ? Long.MIN_VALUE : start.createdAt().toEpochMilli()};
    String[] afterId = {start == null ? "" : start.taskId()};
    List<Object> params = new ArrayList<>();
    String sql = "SELECT " + LedgerRows.TASK_COLUMNS + " FROM tasks WHERE" + TaskQueries.where(query, params)
        + " (created_at > ? OR (created_at = ? AND task_id > ?)) ORDER BY created_at, task_id LIMIT ?";
    int batch = Math.max(limit, 500);
    List<TaskRecord> found = new ArrayList<>();
    while (found.size() < limit) {
      List<TaskRecord> scanned = lock.locked("findTasks", "tasks after " + afterId[0], c -> {
        try (PreparedStatement select = c.prepareStatement(sql)) {
          int i = TaskQueries.bind(select, params);
          select.setLong(i++, afterCreated[0]);
          select.setLong(i++, afterCreated[0]);
          select.setString(i++, afterId[0]);
          select.setInt(i, batch);
          List<TaskRecord> rowsRead = new ArrayList<>();
          try (ResultSet row = select.executeQuery()) {
            while (row.next()) {
              rowsRead.add(rows.task(row));
            }
          }
          return rowsRead;
        }
      });
      for (TaskRecord task : scanned) {
        if (found.size() < limit && query.matches(task)) {
          found.add(task);
        }
      }
      if (scanned.size() < batch) {
        break;
      }
      afterCreated[0] = scanned.getLast().createdAt().toEpochMilli();
      afterId[0] = scanned.getLast().taskId();
    }
    return List.copyOf(found);
  }

  List<TaskRecord> children(String parentTaskId) {
    requireNonNull(parentTaskId, "parentTaskId");
    return lock.locked("children", "task " + parentTaskId, c -> {
      try (PreparedStatement select = c.prepareStatement(
          "SELECT " + LedgerRows.TASK_COLUMNS + " FROM tasks WHERE parent_task_id = ? ORDER BY created_at, task_id")) {
        select.setString(1, parentTaskId);
        List<TaskRecord> found = new ArrayList<>();
        try (ResultSet row = select.executeQuery()) {
          while (row.next()) {
            found.add(rows.task(row));
          }
        }
        return found;
      }
    });
  }

  /**
   * Reads the chains of the agent's delegated tasks, newest first (at most {@link #DELEGATORS_SCAN} of them), and
   * keeps each subject once.
   */
  List<String> delegatorsOf(String identity, int limit) {
    requireNonNull(identity, "identity");
    if (limit <= 0) {
      throw new IllegalArgumentException("limit: " + limit + " (expected: > 0)");
    }
    return lock.locked("delegatorsOf", "agent " + identity, c -> {
      try (PreparedStatement select = c.prepareStatement("SELECT task_id, delegation FROM tasks"
          + " WHERE agent = ? AND delegation IS NOT NULL ORDER BY created_at DESC, task_id DESC LIMIT ?")) {
        select.setString(1, identity);
        select.setInt(2, DELEGATORS_SCAN);
        Set<String> subjects = new LinkedHashSet<>();
        try (ResultSet row = select.executeQuery()) {
          while (row.next() && subjects.size() < limit) {
            for (DelegationView.Link link
                : DelegationJson.read(row.getString("delegation"), row.getString("task_id")).chain()) {
              if (subjects.size() < limit) {
                subjects.add(link.subject());
              }
            }
          }
        }
        return List.copyOf(subjects);
      }
    });
  }
}
