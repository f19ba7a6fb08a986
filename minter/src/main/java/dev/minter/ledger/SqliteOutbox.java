package dev.minter.ledger;

import static java.util.Objects.requireNonNull;

import dev.minter.vault.LeaseType;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The revocation outbox of {@link SqliteLedger}: revocations that failed once and are retried until Vault confirms
 * them, one {@code revocation_outbox} row each, every statement under the ledger's {@link LedgerLock}, which is all
 * it holds. Error texts are clipped, so a verbose failure cannot grow a row without bound.
 */
final class SqliteOutbox {
  private static final int MAX_ERROR_CHARS = 2000;

  private final LedgerLock lock;

  SqliteOutbox(LedgerLock lock) {
    this.lock = requireNonNull(lock, "lock");
  }

  /** Enqueued with {@code attempts = 1}: the caller has just tried once and failed with {@code error}. */
  void enqueueRevocation(String taskId, String target, LeaseType type, Instant nextAttempt, String error) {
    requireNonNull(taskId, "taskId");
    requireNonNull(target, "target");
    requireNonNull(type, "type");
    requireNonNull(nextAttempt, "nextAttempt");
    String lastError = clip(requireNonNull(error, "error"));
    lock.locked("enqueueRevocation", "task " + taskId + " target " + target, c -> {
      try (PreparedStatement insert = c.prepareStatement("INSERT INTO revocation_outbox"
          + " (task_id, target, type, attempts, next_attempt, last_error) VALUES (?, ?, ?, 1, ?, ?)")) {
        insert.setString(1, taskId);
        insert.setString(2, target);
        insert.setString(3, type.name());
        insert.setLong(4, nextAttempt.toEpochMilli());
        insert.setString(5, lastError);
        return insert.executeUpdate();
      }
    });
  }

  /** Oldest due first: ordered by {@code next_attempt}, then by enqueue order. */
  List<PendingRevocation> dueRevocations(Instant now, int limit) {
    requireNonNull(now, "now");
    if (limit <= 0) {
      throw new IllegalArgumentException("limit: " + limit + " (expected: > 0)");
    }
    return lock.locked("dueRevocations", "revocations due at " + now, c -> {
      try (PreparedStatement select = c.prepareStatement("SELECT " + LedgerRows.OUTBOX_COLUMNS
          + " FROM revocation_outbox WHERE next_attempt <= ? ORDER BY next_attempt, id LIMIT ?")) {
        select.setLong(1, now.toEpochMilli());
        select.setInt(2, limit);
        List<PendingRevocation> found = new ArrayList<>();
        try (ResultSet row = select.executeQuery()) {
          while (row.next()) {
            found.add(LedgerRows.pending(row));
          }
        }
        return List.copyOf(found);
      }
    });
  }

  void completeRevocation(long id) {
    lock.locked("completeRevocation", "outbox entry " + id, c -> {
      try (PreparedStatement delete = c.prepareStatement("DELETE FROM revocation_outbox WHERE id = ?")) {
        delete.setLong(1, id);
        return delete.executeUpdate();
      }
    });
  }

  void retryRevocation(long id, Instant nextAttempt, String error) {
    requireNonNull(nextAttempt, "nextAttempt");
    String lastError = clip(requireNonNull(error, "error"));
    lock.locked("retryRevocation", "outbox entry " + id, c -> {
      try (PreparedStatement update = c.prepareStatement("UPDATE revocation_outbox"
          + " SET attempts = attempts + 1, next_attempt = ?, last_error = ? WHERE id = ?")) {
        update.setLong(1, nextAttempt.toEpochMilli());
        update.setString(2, lastError);
        update.setLong(3, id);
        return update.executeUpdate();
      }
    });
  }

  private static String clip(String error) {
    return error.length() <= MAX_ERROR_CHARS ? error : error.substring(0, MAX_ERROR_CHARS) + "...";
  }
}
