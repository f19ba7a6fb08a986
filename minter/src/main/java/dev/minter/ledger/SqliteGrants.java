package dev.minter.ledger;

import static java.util.Objects.requireNonNull;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Types;
import java.time.Instant;
import java.util.Optional;

/**
 * The delegation grants half of {@link SqliteLedger}: the {@code delegation_grants} table's statements, each run
 * under the ledger's {@link LedgerLock}. Holds nothing but that lock; rows are mapped by {@link GrantRows}.
 */
final class SqliteGrants {
  private final LedgerLock lock;

  SqliteGrants(LedgerLock lock) {
    this.lock = requireNonNull(lock, "lock");
  }

  void insertGrant(GrantRecord grant) {
    requireNonNull(grant, "grant");
    String roles = GrantRows.json(grant.roles(), grant.grantId());
    String purposes = GrantRows.json(grant.purposes(), grant.grantId());
    lock.locked("insertGrant", "grant " + grant.grantId(), c -> {
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
          insert.setNull(9, Types.BIGINT);
        }
        insert.setString(10, grant.childTaskId().orElse(null));
        return insert.executeUpdate();
      }
    });
  }

  Optional<GrantRecord> findGrant(String grantId) {
    requireNonNull(grantId, "grantId");
    return lock.locked("findGrant", "grant " + grantId, c -> {
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
  boolean redeemGrant(String grantId, Instant at) {
    requireNonNull(grantId, "grantId");
    requireNonNull(at, "at");
    return lock.locked("redeemGrant", "grant " + grantId, c -> {
      try (PreparedStatement update = c.prepareStatement(
          "UPDATE delegation_grants SET redeemed_at = ? WHERE grant_id = ? AND redeemed_at IS NULL AND expires_at > ?")) {
        update.setLong(1, at.toEpochMilli());
        update.setString(2, grantId);
        update.setLong(3, at.toEpochMilli());
        return update.executeUpdate() == 1;
      }
    });
  }

  void linkGrantChild(String grantId, String childTaskId) {
    requireNonNull(grantId, "grantId");
    requireNonNull(childTaskId, "childTaskId");
    int updated = lock.locked("linkGrantChild", "grant " + grantId, c -> {
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

  int pendingGrants(String parentTaskId, Instant now) {
    requireNonNull(parentTaskId, "parentTaskId");
    requireNonNull(now, "now");
    return lock.locked("pendingGrants", "task " + parentTaskId, c -> {
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
}
