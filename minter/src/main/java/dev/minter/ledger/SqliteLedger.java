package dev.minter.ledger;

import static java.util.Objects.requireNonNull;

import dev.minter.attest.TofuPins;
import dev.minter.vault.LeaseType;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
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
 */
public final class SqliteLedger implements Ledger, TofuPins, Agents {
  private static final int MAX_ERROR_CHARS = 2000;

  private final Connection connection;
  private final LedgerRows rows;
  private final TokenCipher cipher;
  private final Clock clock;
  private final ReentrantLock lock = new ReentrantLock();
  private boolean closed;

  private SqliteLedger(Connection connection, TokenCipher cipher, Clock clock) {
    this.connection = connection;
    this.cipher = cipher;
    this.clock = clock;
    this.rows = new LedgerRows(cipher);
  }

  /**
   * Opens (creating if needed, with mode 0600 and parent directories 0700) the ledger at {@code dbFile} and brings
   * its schema up to date. {@code clock} stamps the migrations applied and trust-on-first-use records.
   */
  public static SqliteLedger open(Path dbFile, TokenCipher cipher, Clock clock) {
    Path file = requireNonNull(dbFile, "dbFile").toAbsolutePath();
    requireNonNull(cipher, "cipher");
    requireNonNull(clock, "clock");
    createOwnerOnly(file);
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL); // WAL + FULL: each commit is fsynced
    config.enforceForeignKeys(true);
    config.setBusyTimeout(10_000);
    Connection connection = null;
    try {
      connection = config.createConnection("jdbc:sqlite:" + file);
      requireWal(connection, file);
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
    requireNonNull(now, "now");
    return locked("openTasksExpiredAt", "tasks expired at " + now, c -> selectTasks(c,
        "state = 'OPEN' AND expires_at <= ? ORDER BY expires_at, task_id", now.toEpochMilli()));
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

  /** Enqueued with {@code attempts = 1}: the caller has just tried once and failed with {@code error}. */
  @Override
  public void enqueueRevocation(String taskId, String target, LeaseType type, Instant nextAttempt, String error) {
    requireNonNull(taskId, "taskId");
    requireNonNull(target, "target");
    requireNonNull(type, "type");
    requireNonNull(nextAttempt, "nextAttempt");
    String lastError = clip(requireNonNull(error, "error"));
    locked("enqueueRevocation", "task " + taskId + " target " + target, c -> {
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
  @Override
  public List<PendingRevocation> dueRevocations(Instant now, int limit) {
    requireNonNull(now, "now");
    if (limit <= 0) {
      throw new IllegalArgumentException("limit: " + limit + " (expected: > 0)");
    }
    return locked("dueRevocations", "revocations due at " + now, c -> {
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

  @Override
  public void completeRevocation(long id) {
    locked("completeRevocation", "outbox entry " + id, c -> {
      try (PreparedStatement delete = c.prepareStatement("DELETE FROM revocation_outbox WHERE id = ?")) {
        delete.setLong(1, id);
        return delete.executeUpdate();
      }
    });
  }

  @Override
  public void retryRevocation(long id, Instant nextAttempt, String error) {
    requireNonNull(nextAttempt, "nextAttempt");
    String lastError = clip(requireNonNull(error, "error"));
    locked("retryRevocation", "outbox entry " + id, c -> {
      try (PreparedStatement update = c.prepareStatement("UPDATE revocation_outbox"
          + " SET attempts = attempts + 1, next_attempt = ?, last_error = ? WHERE id = ?")) {
        update.setLong(1, nextAttempt.toEpochMilli());
        update.setString(2, lastError);
        update.setLong(3, id);
        return update.executeUpdate();
      }
    });
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

  @FunctionalInterface
  private interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  private <T> T locked(String operation, String subject, Work<T> work) {
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

  private static String clip(String error) {
    return error.length() <= MAX_ERROR_CHARS ? error : error.substring(0, MAX_ERROR_CHARS) + "...";
  }

  /** The file holds no plaintext secret, but task metadata is nobody else's business either. */
  private static void createOwnerOnly(Path file) {
    try {
      Path dir = file.getParent();
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (FileAlreadyExistsException existing) {
      // Reopening: keep the file as it is.
    } catch (IOException | UnsupportedOperationException e) {
      throw new LedgerException("ledger: cannot create " + file + ": " + e, e);
    }
  }

  /** WAL is what makes synchronous=FULL cheap; a file system that refuses it (some network mounts) is refused. */
  private static void requireWal(Connection connection, Path file) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet mode = statement.executeQuery("PRAGMA journal_mode")) {
      String actual = mode.next() ? mode.getString(1) : "unknown";
      if (!"wal".equalsIgnoreCase(actual)) {
        throw new LedgerException("ledger: " + file + " runs in journal mode " + actual + " (expected: wal)");
      }
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

  // ---- agent inventory (Agents), SQL in AgentRows ----------------------------------------------------------------

  @Override
  public void recordSeen(String identity, String attestor, Instant at) {
    requireNonNull(identity, "identity");
    requireNonNull(attestor, "attestor");
    requireNonNull(at, "at");
    locked("recordSeen", "agent " + identity, c -> {
      AgentRows.recordSeen(c, identity, attestor, at);
      return null;
    });
  }

  @Override
  public void recordUse(String identity, String role, String purpose, Instant at) {
    requireNonNull(identity, "identity");
    requireNonNull(role, "role");
    requireNonNull(purpose, "purpose");
    requireNonNull(at, "at");
    locked("recordUse", "agent " + identity, c -> {
      AgentRows.recordUse(c, identity, role, purpose, at);
      return null;
    });
  }

  @Override
  public AgentRecord register(String identity, String owner, String description, Instant at) {
    requireNonNull(identity, "identity");
    requireNonNull(at, "at");
    return locked("register", "agent " + identity, c -> AgentRows.register(c, identity, owner, description, at));
  }

  @Override
  public Optional<AgentRecord> setState(String identity, AgentState state, String reason, Instant at) {
    requireNonNull(identity, "identity");
    requireNonNull(state, "state");
    requireNonNull(at, "at");
    return locked("setState", "agent " + identity, c -> AgentRows.setState(c, identity, state, reason, at));
  }

  @Override
  public Optional<AgentRecord> findAgent(String identity) {
    requireNonNull(identity, "identity");
    return locked("findAgent", "agent " + identity, c -> AgentRows.find(c, identity));
  }

  @Override
  public List<AgentRecord> listAgents(AgentFilter filter) {
    requireNonNull(filter, "filter");
    return locked("listAgents", "agents", c -> AgentRows.list(c, filter));
  }

  @Override
  public List<TaskRecord> openTasksOf(String identity) {
    requireNonNull(identity, "identity");
    return locked("openTasksOf", "agent " + identity, c -> selectTasks(c,
        "agent = ? AND state = 'OPEN' ORDER BY created_at, task_id", identity));
  }

  /**
   * Exact fields (id, state, attestor, time range, and globs without a wildcard) filter in SQL; wildcard globs, roles
   * and claims are matched in Java on each batch, so a page may take several batches to fill. Keyset paging on
   * {@code (created_at, task_id)} keeps pages stable while tasks are added or ended. The lock is held per batch, not
   * per page, so a long scan for a rare match never stalls minting and revoking.
   */
  @Override
  public List<TaskRecord> findTasks(TaskQuery query, int limit, String afterTaskId) {
    requireNonNull(query, "query");
    if (limit <= 0) {
      throw new IllegalArgumentException("limit: " + limit + " (expected: > 0)");
    }
    TaskRecord start = afterTaskId == null ? null : findTask(afterTaskId)
        .orElseThrow(() -> new IllegalArgumentException("page token: unknown task " + afterTaskId));
    long[] afterCreated = {start == null ? Long.MIN_VALUE : start.createdAt().toEpochMilli()};
    String[] afterId = {start == null ? "" : start.taskId()};
    List<Object> params = new ArrayList<>();
    String sql = "SELECT " + LedgerRows.TASK_COLUMNS + " FROM tasks WHERE" + TaskQueries.where(query, params)
        + " (created_at > ? OR (created_at = ? AND task_id > ?)) ORDER BY created_at, task_id LIMIT ?";
    int batch = Math.max(limit, 500);
    List<TaskRecord> found = new ArrayList<>();
    while (found.size() < limit) {
      List<TaskRecord> scanned = locked("findTasks", "tasks after " + afterId[0], c -> {
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

  @Override
  public List<TaskRecord> children(String parentTaskId) {
    requireNonNull(parentTaskId, "parentTaskId");
    return locked("children", "task " + parentTaskId, c -> {
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

  // ---- quota counts ---------------------------------------------------------------------------------------------
  // Owner counts join the inventory rather than listing its agents first: one statement, one consistent snapshot.
  // Mint counts join tasks on agent (index tasks_agent_state, then leases_task_id), so no index on issued_at is needed.

  @Override
  public int countOpenTasks(String agent, Instant now) {
    requireNonNull(agent, "agent");
    return count("countOpenTasks", "agent " + agent,
        "SELECT COUNT(*) FROM tasks WHERE agent = ? AND state = 'OPEN' AND expires_at > ?",
        agent, requireNonNull(now, "now").toEpochMilli());
  }

  @Override
  public int countOpenTasksOfOwner(String owner, Instant now) {
    requireOwner(owner);
    return count("countOpenTasksOfOwner", "owner " + owner,
        "SELECT COUNT(*) FROM tasks t JOIN agents a ON a.identity = t.agent"
            + " WHERE a.owner = ? AND t.state = 'OPEN' AND t.expires_at > ?",
        owner, requireNonNull(now, "now").toEpochMilli());
  }

  @Override
  public int countMintsSince(String agent, Instant since) {
    requireNonNull(agent, "agent");
    return count("countMintsSince", "agent " + agent,
        "SELECT COUNT(*) FROM leases l JOIN tasks t ON t.task_id = l.task_id WHERE t.agent = ? AND l.issued_at >= ?",
        agent, requireNonNull(since, "since").toEpochMilli());
  }

  @Override
  public int countMintsOfOwnerSince(String owner, Instant since) {
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
    return locked(operation, subject, c -> {
      try (PreparedStatement select = c.prepareStatement(sql)) {
        select.setString(1, key);
        select.setLong(2, millis);
        try (ResultSet row = select.executeQuery()) {
          return row.next() ? row.getInt(1) : 0;
        }
      }
    });
  }

  @Override
  public void insertGrant(GrantRecord grant) {
    requireNonNull(grant, "grant");
    String roles = GrantRows.json(grant.roles(), grant.grantId());
    String purposes = GrantRows.json(grant.purposes(), grant.grantId());
    locked("insertGrant", "grant " + grant.grantId(), c -> {
      try (PreparedStatement insert = c.prepareStatement(
          "INSERT INTO delegation_grants (" + GrantRows.COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        insert.setString(1, grant.grantId());
        insert.setString(2, grant.parentTaskId());
        insert.setString(3, grant.subAgent());
        insert.setString(4, roles);
        insert.setString(5, purposes);
        insert.setLong(6, grant.maxTtl().toSeconds());
        insert.setLong(7, grant.issuedAt().toEpochMilli());
        insert.setLong(8, grant.expiresAt().toEpochMilli());
        if (grant.redeemedAt().isPresent()) {
          insert.setLong(9, grant.redeemedAt().get().toEpochMilli());
        } else {
          insert.setNull(9, java.sql.Types.BIGINT);
        }
        insert.setString(10, grant.childTaskId().orElse(null));
        return insert.executeUpdate();
      }
    });
  }

  @Override
  public Optional<GrantRecord> findGrant(String grantId) {
    requireNonNull(grantId, "grantId");
    return locked("findGrant", "grant " + grantId, c -> {
      try (PreparedStatement select = c.prepareStatement(
          "SELECT " + GrantRows.COLUMNS + " FROM delegation_grants WHERE grant_id = ?")) {
        select.setString(1, grantId);
        try (ResultSet row = select.executeQuery()) {
          return row.next() ? Optional.of(GrantRows.grant(row)) : Optional.<GrantRecord>empty();
        }
      }
    });
  }

  /** The compare-and-set is the {@code WHERE redeemed_at IS NULL}: of racing redeemers exactly one updates the row. */
  @Override
  public boolean redeemGrant(String grantId, Instant at) {
    requireNonNull(grantId, "grantId");
    requireNonNull(at, "at");
    return locked("redeemGrant", "grant " + grantId, c -> {
      try (PreparedStatement update = c.prepareStatement(
          "UPDATE delegation_grants SET redeemed_at = ? WHERE grant_id = ? AND redeemed_at IS NULL AND expires_at > ?")) {
        update.setLong(1, at.toEpochMilli());
        update.setString(2, grantId);
        update.setLong(3, at.toEpochMilli());
        return update.executeUpdate() == 1;
      }
    });
  }

  @Override
  public void linkGrantChild(String grantId, String childTaskId) {
    requireNonNull(grantId, "grantId");
    requireNonNull(childTaskId, "childTaskId");
    int updated = locked("linkGrantChild", "grant " + grantId, c -> {
      try (PreparedStatement update = c.prepareStatement(
          "UPDATE delegation_grants SET child_task_id = ? WHERE grant_id = ? AND redeemed_at IS NOT NULL"
              + " AND child_task_id IS NULL")) {
        update.setString(1, childTaskId);
        update.setString(2, grantId);
        return update.executeUpdate();
      }
    });
    if (updated != 1) {
      throw new LedgerException("ledger: grant " + grantId + " is not a redeemed grant without a child task");
    }
  }

  @Override
  public int pendingGrants(String parentTaskId, Instant now) {
    requireNonNull(parentTaskId, "parentTaskId");
    requireNonNull(now, "now");
    return locked("pendingGrants", "task " + parentTaskId, c -> {
      try (PreparedStatement select = c.prepareStatement(
          "SELECT COUNT(*) FROM delegation_grants WHERE parent_task_id = ? AND redeemed_at IS NULL AND expires_at > ?")) {
        select.setString(1, parentTaskId);
        select.setLong(2, now.toEpochMilli());
        try (ResultSet row = select.executeQuery()) {
          row.next();
          return row.getInt(1);
        }
      }
    });
  }

  /** How many of an agent's most recent delegated tasks {@link #delegatorsOf} reads. */
  static final int DELEGATORS_SCAN = 10_000;

  /**
   * Reads the chains of the agent's delegated tasks, newest first (at most {@link #DELEGATORS_SCAN} of them), and
   * keeps each subject once.
   */
  @Override
  public List<String> delegatorsOf(String identity, int limit) {
    requireNonNull(identity, "identity");
    if (limit <= 0) {
      throw new IllegalArgumentException("limit: " + limit + " (expected: > 0)");
    }
    return locked("delegatorsOf", "agent " + identity, c -> {
      try (PreparedStatement select = c.prepareStatement("SELECT task_id, delegation FROM tasks"
          + " WHERE agent = ? AND delegation IS NOT NULL ORDER BY created_at DESC, task_id DESC LIMIT ?")) {
        select.setString(1, identity);
        select.setInt(2, DELEGATORS_SCAN);
        java.util.Set<String> subjects = new java.util.LinkedHashSet<>();
        try (ResultSet row = select.executeQuery()) {
          while (row.next() && subjects.size() < limit) {
            for (dev.minter.policy.DelegationView.Link link
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
