package dev.minter.ledger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Maps {@code delegation_grants} rows to {@link GrantRecord}s: JSON lists, epoch-millis instants. */
final class GrantRows {
  static final String COLUMNS =
      "grant_id, parent_task_id, sub_agent, roles, purposes, max_ttl_seconds, issued_at, expires_at, redeemed_at,"
          + " child_task_id";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};

  private GrantRows() {}

  static GrantRecord grant(ResultSet row) throws SQLException {
    String grantId = row.getString("grant_id");
    long redeemed = row.getLong("redeemed_at");
    Optional<Instant> redeemedAt = row.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(redeemed));
    return new GrantRecord(
        grantId,
        row.getString("parent_task_id"),
        row.getString("sub_agent"),
        strings(row.getString("roles"), grantId),
        strings(row.getString("purposes"), grantId),
        Duration.ofSeconds(row.getLong("max_ttl_seconds")),
        Instant.ofEpochMilli(row.getLong("issued_at")),
        Instant.ofEpochMilli(row.getLong("expires_at")),
        redeemedAt,
        Optional.ofNullable(row.getString("child_task_id")));
  }

  static String json(List<String> values, String grantId) {
    try {
      return JSON.writeValueAsString(values);
    } catch (JsonProcessingException e) {
      throw new LedgerException("ledger: cannot write the roles or purposes of grant " + grantId + " as JSON", e);
    }
  }

  private static List<String> strings(String text, String grantId) {
    try {
      return JSON.readValue(text, STRINGS);
    } catch (JsonProcessingException e) {
      throw new LedgerException("ledger: the roles or purposes of grant " + grantId + " are not valid JSON", e);
    }
  }
}
