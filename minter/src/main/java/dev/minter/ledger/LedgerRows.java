package dev.minter.ledger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.minter.vault.LeaseType;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Maps ledger rows to records and back: JSON text columns, epoch-millis instants, the sealed token. */
final class LedgerRows {
  static final String TASK_COLUMNS =
      "task_id, agent, attestor_kind, purpose, roles, rule, labels, token_ciphertext, token_accessor,"
          + " created_at, expires_at, state, claims, parent_task_id, delegation";
  static final String LEASE_COLUMNS = "lease_id, task_id, role, kind, lease_type, issued_at, expires_at, revoked";
  static final String OUTBOX_COLUMNS = "id, task_id, target, type, attempts, next_attempt, last_error";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<List<String>> ROLES = new TypeReference<>() {};
  private static final TypeReference<Map<String, String>> LABELS = new TypeReference<>() {};

  private final TokenCipher cipher;

  LedgerRows(TokenCipher cipher) {
    this.cipher = cipher;
  }

  TaskRecord task(ResultSet row) throws SQLException {
    String taskId = row.getString("task_id");
    return new TaskRecord(
        taskId,
        row.getString("agent"),
        row.getString("attestor_kind"),
        row.getString("purpose"),
        fromJson(row.getString("roles"), ROLES, taskId),
        row.getString("rule"),
        fromJson(row.getString("labels"), LABELS, taskId),
        cipher.decrypt(taskId, row.getBytes("token_ciphertext")),
        row.getString("token_accessor"),
        instant(row, "created_at"),
        instant(row, "expires_at"),
        TaskState.valueOf(row.getString("state")),
        claims(row.getString("claims"), taskId),
        row.getString("parent_task_id") == null ? "" : row.getString("parent_task_id"),
        DelegationJson.read(row.getString("delegation"), taskId));
  }

  /** Tasks begun before schema step 3 have no claims column value: read as none. */
  private static Map<String, String> claims(String text, String taskId) {
    return text == null ? Map.of() : fromJson(text, LABELS, taskId);
  }

  static LeaseRecord lease(ResultSet row) throws SQLException {
    return new LeaseRecord(
        row.getString("lease_id"),
        row.getString("task_id"),
        row.getString("role"),
        row.getString("kind"),
        LeaseType.valueOf(row.getString("lease_type")),
        instant(row, "issued_at"),
        instant(row, "expires_at"),
        row.getBoolean("revoked"));
  }

  static PendingRevocation pending(ResultSet row) throws SQLException {
    return new PendingRevocation(
        row.getLong("id"),
        row.getString("task_id"),
        row.getString("target"),
        LeaseType.valueOf(row.getString("type")),
        row.getInt("attempts"),
        instant(row, "next_attempt"),
        row.getString("last_error"));
  }

  static String toJson(Object value, String taskId) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new LedgerException("ledger: cannot write the roles, labels or claims of task " + taskId + " as JSON", e);
    }
  }

  private static <T> T fromJson(String text, TypeReference<T> type, String taskId) {
    try {
      return JSON.readValue(text, type);
    } catch (JsonProcessingException e) {
      throw new LedgerException("ledger: the roles, labels or claims of task " + taskId + " are not valid JSON", e);
    }
  }

  private static Instant instant(ResultSet row, String column) throws SQLException {
    return Instant.ofEpochMilli(row.getLong(column));
  }
}
