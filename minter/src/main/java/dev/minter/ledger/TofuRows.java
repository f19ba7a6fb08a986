package dev.minter.ledger;

import dev.minter.attest.TofuPins;
import dev.minter.attest.TofuPins.Outcome;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** The {@code tofu} table's SQL: trust-on-first-use pins, compared and moved on the caller's (locked) connection. */
final class TofuRows {
  private TofuRows() {}

  static Outcome pin(Connection c, long now, String kind, String subject, long generation, String fingerprint)
      throws SQLException {
    Pin current = currentPin(c, kind, subject);
    Outcome outcome = current == null
        ? TofuPins.compare(null, null, generation, fingerprint)
        : TofuPins.compare(current.generation(), current.fingerprint(), generation, fingerprint);
    if (outcome == Outcome.FIRST) {
      try (PreparedStatement insert = c.prepareStatement("INSERT INTO tofu"
          + " (kind, subject, generation, fingerprint, first_seen, pinned_at) VALUES (?, ?, ?, ?, ?, ?)")) {
        insert.setString(1, kind);
        insert.setString(2, subject);
        insert.setLong(3, generation);
        insert.setString(4, fingerprint);
        insert.setLong(5, now);
        insert.setLong(6, now);
        insert.executeUpdate();
      }
    } else if (outcome == Outcome.ADVANCED) {
      // The WHERE on the old generation is a compare-and-set for a ledger shared by several servers.
      try (PreparedStatement update = c.prepareStatement("UPDATE tofu SET generation = ?, fingerprint = ?,"
          + " pinned_at = ? WHERE kind = ? AND subject = ? AND generation = ?")) {
        update.setLong(1, generation);
        update.setString(2, fingerprint);
        update.setLong(3, now);
        update.setString(4, kind);
        update.setString(5, subject);
        update.setLong(6, current.generation());
        if (update.executeUpdate() != 1) {
          throw new SQLException("tofu pin of " + subject + " moved concurrently");
        }
      }
    }
    return outcome;
  }

  private record Pin(long generation, String fingerprint) {}

  private static Pin currentPin(Connection c, String kind, String subject) throws SQLException {
    try (PreparedStatement select =
        c.prepareStatement("SELECT generation, fingerprint FROM tofu WHERE kind = ? AND subject = ?")) {
      select.setString(1, kind);
      select.setString(2, subject);
      try (ResultSet row = select.executeQuery()) {
        return row.next() ? new Pin(row.getLong(1), row.getString(2)) : null;
      }
    }
  }
}
