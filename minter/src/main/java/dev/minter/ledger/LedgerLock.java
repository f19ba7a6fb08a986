package dev.minter.ledger;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The one way into {@link SqliteLedger}'s connection: runs {@code work} on it while holding the ledger's single lock,
 * refuses after close, and turns an {@link SQLException} into a {@link LedgerException} naming the operation and
 * subject. The ledger's collaborators ({@link SqliteOutbox}, {@link SqliteTaskSearch}, {@link SqliteGrants},
 * {@link SqliteQuotaCounts}, {@link SqliteAgents}) receive it instead of the connection, so every statement they run
 * is serialized with every other ledger call.
 */
@FunctionalInterface
interface LedgerLock {
  <T> T locked(String operation, String subject, Work<T> work);

  /** SQL run on the locked connection. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection connection) throws SQLException;
  }
}
