package dev.minter.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;

/**
 * The ledger's tables, created by numbered migration steps recorded in {@code schema_version}.
 *
 * <p>The SQL is kept portable so a PostgreSQL ledger can reuse it. Instants are {@code BIGINT} epoch millis (no
 * date types or date functions, whose semantics differ); booleans are bound with {@code setBoolean}; no {@code
 * INSERT OR REPLACE}, no upserts, no {@code RETURNING}. The only SQLite spellings are {@code BLOB} (PostgreSQL:
 * {@code BYTEA}) and {@code INTEGER PRIMARY KEY AUTOINCREMENT} (PostgreSQL: {@code BIGINT GENERATED ALWAYS AS
 * IDENTITY}); pragmas live in the connection setup, not here.
 */
final class LedgerSchema {
  static final int CURRENT = 5;

  private static final List<String> STEP_1 =
      List.of(
          """
          CREATE TABLE tasks (
            task_id TEXT PRIMARY KEY,
            agent TEXT NOT NULL,
            attestor_kind TEXT NOT NULL,
            purpose TEXT NOT NULL,
            roles TEXT NOT NULL,
            rule TEXT NOT NULL,
            labels TEXT NOT NULL,
            token_ciphertext BLOB NOT NULL,
            token_accessor TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('OPEN', 'COMPLETED', 'REVOKED', 'EXPIRED')),
            ended_at BIGINT
          )""",
          "CREATE INDEX tasks_state_expires_at ON tasks (state, expires_at)",
          """
          CREATE TABLE leases (
            lease_id TEXT PRIMARY KEY,
            task_id TEXT NOT NULL REFERENCES tasks (task_id),
            role TEXT NOT NULL,
            kind TEXT NOT NULL,
            lease_type TEXT NOT NULL CHECK (lease_type IN ('LEASE', 'TOKEN')),
            issued_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL,
            revoked BOOLEAN NOT NULL
          )""",
          "CREATE INDEX leases_task_id ON leases (task_id)",
          // No foreign key on task_id: queuing a revocation must never fail, whatever else is wrong.
          """
          CREATE TABLE revocation_outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            task_id TEXT NOT NULL,
            target TEXT NOT NULL,
            type TEXT NOT NULL CHECK (type IN ('LEASE', 'TOKEN')),
            attempts INTEGER NOT NULL,
            next_attempt BIGINT NOT NULL,
            last_error TEXT NOT NULL
          )""",
          "CREATE INDEX revocation_outbox_next_attempt ON revocation_outbox (next_attempt, id)");

  /**
   * Trust-on-first-use records ({@code dev.minter.attest.TofuPins}): one row per attested
   * subject, e.g. an EC2 instance. {@code generation} and {@code fingerprint} are the pin (0 and '' for plain
   * first-use records); {@code first_seen} and {@code pinned_at} say when the subject and its current pin appeared.
   */
  private static final List<String> STEP_2 =
      List.of(
          """
          CREATE TABLE tofu (
            kind TEXT NOT NULL,
            subject TEXT NOT NULL,
            generation BIGINT NOT NULL,
            fingerprint TEXT NOT NULL,
            first_seen BIGINT NOT NULL,
            pinned_at BIGINT NOT NULL,
            PRIMARY KEY (kind, subject)
          )""");

  /**
   * The attesting identity's verified claims on each task (JSON object text; NULL for older rows), so operators can
   * select tasks by attestation source, and an index for listing tasks in creation order.
   */
  private static final List<String> STEP_3 =
      List.of(
          "ALTER TABLE tasks ADD COLUMN claims TEXT",
          "CREATE INDEX tasks_created_at ON tasks (created_at, task_id)");

  /**
   * The agent inventory ({@link Agents}): one row per identity that ever attested or was registered. Sets are JSON
   * text; {@code roles_used} is a JSON object role → epoch millis of last use; the timestamps are null until seen.
   */
  private static final List<String> STEP_4 =
      List.of(
          """
          CREATE TABLE agents (
            identity TEXT PRIMARY KEY,
            owner TEXT NOT NULL,
            description TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('ACTIVE', 'SUSPENDED', 'RETIRED')),
            first_seen BIGINT,
            last_seen BIGINT,
            attestors TEXT NOT NULL,
            roles_used TEXT NOT NULL,
            purposes TEXT NOT NULL,
            state_reason TEXT NOT NULL,
            state_changed_at BIGINT
          )""",
          "CREATE INDEX tasks_agent_state ON tasks (agent, state)");

  /**
   * Delegation: a child task names its parent, and every delegated task keeps its chain and delegated scope (JSON,
   * null for undelegated tasks) so later calls and audit records carry it. Grants from {@code Delegate} are
   * single-use: {@code redeemed_at} is set once, by a conditional update, when a sub-agent opens its child task.
   */
  private static final List<String> STEP_5 =
      List.of(
          "ALTER TABLE tasks ADD COLUMN parent_task_id TEXT",
          "ALTER TABLE tasks ADD COLUMN delegation TEXT",
          "CREATE INDEX tasks_parent_task_id ON tasks (parent_task_id)",
          """
          CREATE TABLE delegation_grants (
            grant_id TEXT PRIMARY KEY,
            parent_task_id TEXT NOT NULL,
            sub_agent TEXT NOT NULL,
            roles TEXT NOT NULL,
            purposes TEXT NOT NULL,
            max_ttl_seconds BIGINT NOT NULL,
            issued_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL,
            redeemed_at BIGINT,
            child_task_id TEXT
          )""",
          "CREATE INDEX delegation_grants_parent ON delegation_grants (parent_task_id)");

  private LedgerSchema() {}

  /** Brings the schema to {@link #CURRENT}; refuses a ledger written by a newer Minter. */
  static void migrate(Connection connection, Instant now) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)");
    }
    int version = version(connection);
    if (version > CURRENT) {
      throw new LedgerException(
          "ledger schema version " + version + " is newer than this Minter understands (" + CURRENT
              + "); refusing to use it");
    }
    if (version < 1) {
      apply(connection, 1, STEP_1, now);
    }
    if (version < 2) {
      apply(connection, 2, STEP_2, now);
    }
    if (version < 3) {
      apply(connection, 3, STEP_3, now);
    }
    if (version < 4) {
      apply(connection, 4, STEP_4, now);
    }
    if (version < 5) {
      apply(connection, 5, STEP_5, now);
    }
  }

  private static int version(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT MAX(version) FROM schema_version")) {
      return rows.next() ? rows.getInt(1) : 0; // MAX of no rows is NULL, read as 0
    }
  }

  /** One step, all or nothing: DDL is transactional in both SQLite and PostgreSQL. */
  private static void apply(Connection connection, int step, List<String> ddl, Instant now) throws SQLException {
    connection.setAutoCommit(false);
    try (Statement statement = connection.createStatement();
        PreparedStatement record =
            connection.prepareStatement("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)")) {
      for (String sql : ddl) {
        statement.execute(sql);
      }
      record.setInt(1, step);
      record.setLong(2, now.toEpochMilli());
      record.executeUpdate();
      connection.commit();
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(true);
    }
  }
}
