package dev.minter.ledger;

import static java.util.Objects.requireNonNull;

import dev.minter.attest.TofuPins;
import dev.minter.vault.LeaseType;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.sqlite.SQLiteConfig;

/**
 * The embedded ledger: one SQLite file in WAL mode with {@code synchronous=FULL}, so every write is on disk when
 * its method returns. Task tokens are stored sealed by {@link TokenCipher}; nothing else stored is secret.
 *
 * <p>Concurrency: a single JDBC connection, and every call holds one {@link ReentrantLock} for its whole duration
 * (a lock rather than {@code synchronized}, so waiting virtual threads do not pin their carriers). SQLite admits
 * one writer at a time anyway, and the calls are short.
 *
 * <p>Instants are stored as epoch milliseconds: sub-millisecond precision is dropped. {@link #markLeaseRevoked}
 * throws for a lease the ledger never recorded (a caller bug worth seeing); {@link #completeRevocation} and
 * {@link #retryRevocation} quietly do nothing for an outbox row that is already gone.
 *
 * <p>Tasks, leases, TOFU pins, opening and the lock live here; the revocation outbox ({@link SqliteOutbox}),
 * many-task reads ({@link SqliteTaskSearch}), delegation grants ({@link SqliteGrants}), quota counts
 * ({@link SqliteQuotaCounts}) and the agent inventory ({@link SqliteAgents}) are package-private collaborators that
 * reach the connection only through {@link #locked}, so the concurrency rule above holds for them too.
 */
public final class SqliteLedger implements Ledger, TofuPins, Agents {
  private final Connection connection;
  private final LedgerRows rows;
  private final TokenCipher cipher;
  private final Clock clock;
  private final ReentrantLock lock = new ReentrantLock();
  private final SqliteOutbox outbox;
  private final SqliteTaskSearch search;
  private final SqliteGrants grants;
  private final SqliteQuotaCounts counts;
  private final SqliteAgents agents;
  private boolean closed;

  private SqliteLedger(Connection connection, TokenCipher cipher, Clock clock) {
    this.connection = connection;
    this.cipher = cipher;
    this.clock = clock;
    this.rows = new LedgerRows(cipher);
    // Every collaborator runs its SQL through this::locked: the one lock, the one connection, the same error mapping.
    this.outbox = new SqliteOutbox(this::locked);
    this.search = new SqliteTaskSearch(this::locked, rows, this::findTask);
    this.grants = new SqliteGrants(this::locked);
    this.counts = new SqliteQuotaCounts(this::locked);
    this.agents = new SqliteAgents(this::locked);
  }

  /**
   * Opens (creating if needed, with mode 0600 and parent directories 0700) the ledger at {@code dbFile} and brings
   * its schema up to date. {@code clock} stamps the migrations applied and trust-on-first-use records.
   */
  public static SqliteLedger open(Path dbFile, TokenCipher cipher, Clock clock) {
    Path file = requireNonNull(dbFile, "dbFile").toAbsolutePath();
    requireNonNull(cipher, "cipher");
    requireNonNull(clock, "clock");
    SqliteFiles.createOwnerOnly(file);
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL); // WAL + FULL: each commit is fsynced
    config.enforceForeignKeys(true);
    config.setBusyTimeout(10_000);
    Connection connection = null;
    try {
      connection = config.createConnection("jdbc:sqlite:" + file);
      SqliteFiles.requireWal(connection, file);
      LedgerSchema.migrate(connection, clock.instant());
      return new SqliteLedger(connection, cipher, clock);
    } catch (SQLException | RuntimeException e) {
      closeQuietly(connection, e);
      if (e instanceof LedgerException ledger) {
        throw ledger;
      }
      throw new LedgerException("ledger: cannot open " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void insertTask(TaskRecord task) {
    requireNonNull(task, "task");
    byte[] sealed = cipher.encrypt(task.taskId(), task.token());
    String roles = LedgerRows.toJson(task.roles(), task.taskId());
    String labels = LedgerRows.toJson(task.labels(), task.taskId());
    String claims = LedgerRows.toJson(task.claims(), task.taskId());
    String delegation = DelegationJson.write(task.delegation(), task.taskId());
    locked("insertTask", "task " + task.taskId(), c -> {
      try (PreparedStatement insert = c.prepareStatement(
          "INSERT INTO tasks (" + LedgerRows.TASK_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        insert.setString(1, task.taskId());
        insert.setString(2, task.agent());
        insert.setString(3, task.attestorKind());
        insert.setString(4, task.purpose());
        insert.setString(5, roles);
        insert.setString(6, task.rule());
        insert.setString(7, labels);
        insert.setBytes(8, sealed);
        insert.setString(9, task.tokenAccessor());
        insert.setLong(10, task.createdAt().toEpochMilli());
        insert.setLong(11, task.expiresAt().toEpochMilli());
        insert.setString(12, task.state().name());
        insert.setString(13, claims);
        insert.setString(14, task.isChild() ? task.parentTaskId() : null);
        insert.setString(15, delegation);
        return insert.executeUpdate();
      }
    });
  }

  @Override
  public Optional<TaskRecord> findTask(String taskId) {
    requireNonNull(taskId, "taskId");
    return locked("findTask", "task " + taskId, c -> {
      try (PreparedStatement select = c.prepareStatement(
          "SELECT " + LedgerRows.TASK_COLUMNS + " FROM tasks WHERE task_id = ?")) {
        select.setString(1, taskId);
        try (ResultSet row = select.executeQuery()) {
          return row.next() ? Optional.of(rows.task(row)) : Optional.<TaskRecord>empty();
        }
      }
    });
  }

  /** The compare-and-set is the {@code WHERE state = 'OPEN'}: of racing callers exactly one updates the row. */
  @Override
  public boolean closeTask(String taskId, TaskState state, Instant at) {
    requireNonNull(taskId, "taskId");
    requireNonNull(at, "at");
    if (requireNonNull(state, "state") == TaskState.OPEN) {
      throw new IllegalArgumentException("state: OPEN (expected: COMPLETED, REVOKED or EXPIRED)");
    }
    return locked("closeTask", "task " + taskId, c -> {
      try (PreparedStatement update = c.prepareStatement(
          "UPDATE tasks SET state = ?, ended_at = ? WHERE task_id = ? AND state = 'OPEN'")) {
        update.setString(1, state.name());
        update.setLong(2, at.toEpochMilli());
        update.setString(3, taskId);
        return update.executeUpdate() == 1;
      }
    });
  }

  @Override
  public List<TaskRecord> openTasksExpiredAt(Instant now) {
    return search.openTasksExpiredAt(now);
  }

  @Override
  public void insertLease(LeaseRecord lease) {
    requireNonNull(lease, "lease");
    locked("insertLease", "task " + lease.taskId() + " lease " + lease.leaseId(), c -> {
      try (PreparedStatement insert = c.prepareStatement(
          "INSERT INTO leases (" + LedgerRows.LEASE_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
        insert.setString(1, lease.leaseId());
        insert.setString(2, lease.taskId());
        insert.setString(3, lease.role());
        insert.setString(4, lease.kind());
        insert.setString(5, lease.leaseType().name());
        insert.setLong(6, lease.issuedAt().toEpochMilli());
        insert.setLong(7, lease.expiresAt().toEpochMilli());
        insert.setBoolean(8, lease.revoked());
        return insert.executeUpdate();
      }
    });
  }

  @Override
  public List<LeaseRecord> leases(String taskId) {
    requireNonNull(taskId, "taskId");
    return locked("leases", "task " + taskId, c -> {
      try (PreparedStatement select = c.prepareStatement("SELECT " + LedgerRows.LEASE_COLUMNS
          + " FROM leases WHERE task_id = ? ORDER BY issued_at, lease_id")) {
        select.setString(1, taskId);
        List<LeaseRecord> found = new ArrayList<>();
        try (ResultSet row = select.executeQuery()) {
          while (row.next()) {
            found.add(LedgerRows.lease(row));
          }
        }
        return List.copyOf(found);
      }
    });
  }

  @Override
  public void markLeaseRevoked(String leaseId) {
    requireNonNull(leaseId, "leaseId");
    int updated = locked("markLeaseRevoked", "lease " + leaseId, c -> {
      try (PreparedStatement update = c.prepareStatement("UPDATE leases SET revoked = ? WHERE lease_id = ?")) {
        update.setBoolean(1, true);
        update.setString(2, leaseId);
        return update.executeUpdate();
      }
    });
    if (updated == 0) {
      throw new LedgerException("ledger: markLeaseRevoked: no lease " + leaseId + " is recorded");
    }
  }

  @Override
  public void enqueueRevocation(String taskId, String target, LeaseType type, Instant nextAttempt, String error) {
    outbox.enqueueRevocation(taskId, target, type, nextAttempt, error);
  }

  @Override
  public List<PendingRevocation> dueRevocations(Instant now, int limit) {
    return outbox.dueRevocations(now, limit);
  }

  @Override
  public void completeRevocation(long id) {
    outbox.completeRevocation(id);
  }

  @Override
  public void retryRevocation(long id, Instant nextAttempt, String error) {
    outbox.retryRevocation(id, nextAttempt, error);
  }

  /** Durable pins; compare and write happen under the lock, so racing first uses are ordered. */
  @Override
  public Outcome pin(String kind, String subject, long generation, String fingerprint) {
    requireNonNull(kind, "kind");
    requireNonNull(subject, "subject");
    requireNonNull(fingerprint, "fingerprint");
    return locked("pin", kind + " " + subject, c -> TofuRows.pin(c, clock.millis(), kind, subject, generation, fingerprint));
  }

  /** Closes the connection; SQLite checkpoints the WAL into the main file when the last connection closes. */
  @Override
  public void close() {
    lock.lock();
    try {
      if (!closed) {
        closed = true;
        connection.close();
      }
    } catch (SQLException e) {
      throw new LedgerException("ledger: close failed: " + e.getMessage(), e);
    } finally {
      lock.unlock();
    }
  }

  /** The {@link LedgerLock} every call, here and in the collaborators, goes through. */
  private <T> T locked(String operation, String subject, LedgerLock.Work<T> work) {
    lock.lock();
    try {
      if (closed) {
        throw new LedgerException("ledger: " + operation + " for " + subject + " after the ledger was closed");
      }
      return work.run(connection);
    } catch (SQLException e) {
      throw new LedgerException("ledger: " + operation + " failed for " + subject + ": " + e.getMessage(), e);
    } finally {
      lock.unlock();
    }
  }

  private static void closeQuietly(Connection connection, Exception failure) {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        failure.addSuppressed(e);
      }
    }
  }

  // ---- delegated to the package-private collaborators, one line each ---------------------------------------------

  @Override
  public List<TaskRecord> findTasks(TaskQuery query, int limit, String afterTaskId) {
    return search.findTasks(query, limit, afterTaskId);
  }

  @Override
  public List<TaskRecord> children(String parentTaskId) {
    return search.children(parentTaskId);
  }

  @Override
  public List<TaskRecord> openTasksOf(String identity) {
    return search.openTasksOf(identity);
  }

  @Override
  public List<String> delegatorsOf(String identity, int limit) {
    return search.delegatorsOf(identity, limit);
  }

  @Override
  public void recordSeen(String identity, String attestor, Instant at) {
    agents.recordSeen(identity, attestor, at);
  }

  @Override
  public void recordUse(String identity, String role, String purpose, Instant at) {
    agents.recordUse(identity, role, purpose, at);
  }

  @Override
  public AgentRecord register(String identity, String owner, String description, Instant at) {
    return agents.register(identity, owner, description, at);
  }

  @Override
  public Optional<AgentRecord> setState(String identity, AgentState state, String reason, Instant at) {
    return agents.setState(identity, state, reason, at);
  }

  @Override
  public Optional<AgentRecord> findAgent(String identity) {
    return agents.findAgent(identity);
  }

  @Override
  public List<AgentRecord> listAgents(AgentFilter filter) {
    return agents.listAgents(filter);
  }

  @Override
  public int countOpenTasks(String agent, Instant now) {
    return counts.countOpenTasks(agent, now);
  }

  @Override
  public int countOpenChildren(String parentTaskId, Instant now) {
    return counts.countOpenChildren(parentTaskId, now);
  }

  @Override
  public int countOpenTasksOfOwner(String owner, Instant now) {
    return counts.countOpenTasksOfOwner(owner, now);
  }

  @Override
  public int countMintsSince(String agent, Instant since) {
    return counts.countMintsSince(agent, since);
  }

  @Override
  public int countMintsOfOwnerSince(String owner, Instant since) {
    return counts.countMintsOfOwnerSince(owner, since);
  }

  @Override
  public void insertGrant(GrantRecord grant) {
    grants.insertGrant(grant);
  }

  @Override
  public Optional<GrantRecord> findGrant(String grantId) {
    return grants.findGrant(grantId);
  }

  @Override
  public boolean redeemGrant(String grantId, Instant at) {
    return grants.redeemGrant(grantId, at);
  }

  @Override
  public void linkGrantChild(String grantId, String childTaskId) {
    grants.linkGrantChild(grantId, childTaskId);
  }

  @Override
  public int pendingGrants(String parentTaskId, Instant now) {
    return grants.pendingGrants(parentTaskId, now);
  }
}
