package dev.minter.ledger;

import static java.util.Objects.requireNonNull;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;

/**
 * The quota count queries of {@link SqliteLedger}: open tasks and mints, per agent and per owner, and a task's open children, each one
 * {@code COUNT(*)} statement under the ledger's {@link LedgerLock}, which is all it holds.
 *
 * <p>Owner counts join the inventory rather than listing its agents first: one statement, one consistent snapshot.
 * Mint counts join tasks on agent (index tasks_agent_state, then leases_task_id), so no index on issued_at is needed.
 */
final class SqliteQuotaCounts {
  private final LedgerLock lock;

  SqliteQuotaCounts(LedgerLock lock) {
    this.lock = requireNonNull(lock, "lock");
  }

  int countOpenTasks(String agent, Instant now) {
    requireNonNull(agent, "agent");
    return count("countOpenTasks", "agent " + agent,
        "SELECT COUNT(*) FROM tasks WHERE agent = ? AND state = 'OPEN' AND expires_at > ?",
        agent, requireNonNull(now, "now").toEpochMilli());
  }

  int countOpenChildren(String parentTaskId, Instant now) {
    requireNonNull(parentTaskId, "parentTaskId");
    return count("countOpenChildren", "task " + parentTaskId,
        "SELECT COUNT(*) FROM tasks WHERE parent_task_id = ? AND state = 'OPEN' AND expires_at > ?",
        parentTaskId, requireNonNull(now, "now").toEpochMilli());
  }

  int countOpenTasksOfOwner(String owner, Instant now) {
    requireOwner(owner);
    return count("countOpenTasksOfOwner", "owner " + owner,
        "SELECT COUNT(*) FROM tasks t JOIN agents a ON a.identity = t.agent"
            + " WHERE a.owner = ? AND t.state = 'OPEN' AND t.expires_at > ?",
        owner, requireNonNull(now, "now").toEpochMilli());
  }

  int countMintsSince(String agent, Instant since) {
    requireNonNull(agent, "agent");
    return count("countMintsSince", "agent " + agent,
        "SELECT COUNT(*) FROM leases l JOIN tasks t ON t.task_id = l.task_id WHERE t.agent = ? AND l.issued_at >= ?",
        agent, requireNonNull(since, "since").toEpochMilli());
  }

  int countMintsOfOwnerSince(String owner, Instant since) {
    requireOwner(owner);
    return count("countMintsOfOwnerSince", "owner " + owner,
        "SELECT COUNT(*) FROM leases l JOIN tasks t ON t.task_id = l.task_id JOIN agents a ON a.identity = t.agent"
            + " WHERE a.owner = ? AND l.issued_at >= ?",
        owner, requireNonNull(since, "since").toEpochMilli());
  }

  /** Unregistered agents all have the owner "": counting over it would lump strangers together. */
  private static void requireOwner(String owner) {
    if (requireNonNull(owner, "owner").isBlank()) {
      throw new IllegalArgumentException("owner: blank (expected: a registered owner)");
    }
  }

  private int count(String operation, String subject, String sql, String key, long millis) {
    return lock.locked(operation, subject, c -> {
      try (PreparedStatement select = c.prepareStatement(sql)) {
        select.setString(1, key);
        select.setLong(2, millis);
        try (ResultSet row = select.executeQuery()) {
          return row.next() ? row.getInt(1) : 0;
        }
      }
    });
  }
}
