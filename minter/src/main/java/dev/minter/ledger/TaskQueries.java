package dev.minter.ledger;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/** The part of a {@link TaskQuery} that SQL can filter exactly; the rest is matched in Java. */
final class TaskQueries {
  private TaskQueries() {}

  /** A {@code WHERE} prefix ending in {@code AND}-ready form (" a = ? AND"), collecting its parameters. */
  static String where(TaskQuery query, List<Object> params) {
    StringBuilder sql = new StringBuilder();
    query.taskId().ifPresent(id -> add(sql, params, "task_id", id));
    query.state().ifPresent(state -> add(sql, params, "state", state.name()));
    query.attestor().ifPresent(kind -> add(sql, params, "attestor_kind", kind));
    // A glob without a wildcard is an exact value: let the database narrow the scan.
    query.agent().filter(g -> !g.pattern().contains("*")).ifPresent(g -> add(sql, params, "agent", g.pattern()));
    query.purpose().filter(g -> !g.pattern().contains("*")).ifPresent(g -> add(sql, params, "purpose", g.pattern()));
    // The subtree as a recursive query: UNION (not UNION ALL) drops rows already seen, so even a cycle in corrupted
    // parent links ends. Standard SQL, run by SQLite and PostgreSQL alike.
    query.subtree().ifPresent(root -> {
      sql.append(" task_id IN (WITH RECURSIVE subtree(id) AS (SELECT task_id FROM tasks WHERE task_id = ?"
          + " UNION SELECT t.task_id FROM tasks t JOIN subtree s ON t.parent_task_id = s.id) SELECT id FROM subtree) AND");
      params.add(root);
    });
    // Only delegated tasks have a chain; the subject itself is matched in Java on the parsed chain.
    query.delegator().ifPresent(d -> sql.append(" delegation IS NOT NULL AND"));
    query.createdAfter().ifPresent(t -> {
      sql.append(" created_at >= ? AND");
      params.add(t.toEpochMilli());
    });
    query.createdBefore().ifPresent(t -> {
      sql.append(" created_at < ? AND");
      params.add(t.toEpochMilli());
    });
    return sql.toString();
  }

  /** Binds {@code params} from index 1; returns the next free index. */
  static int bind(PreparedStatement statement, List<Object> params) throws SQLException {
    int i = 1;
    for (Object p : params) {
      if (p instanceof Long n) {
        statement.setLong(i++, n);
      } else {
        statement.setString(i++, (String) p);
      }
    }
    return i;
  }

  private static void add(StringBuilder sql, List<Object> params, String column, String value) {
    sql.append(' ').append(column).append(" = ? AND");
    params.add(value);
  }
}
