package dev.minter.cli;

import com.google.protobuf.Timestamp;
import dev.minter.proto.v1.LeaseInfo;
import dev.minter.proto.v1.TaskInfo;
import dev.minter.proto.v1.TaskState;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Tasks and leases as table rows, and the {@code --state} names operators type. */
final class TaskRows {
  private TaskRows() {}

  static Map<String, Object> task(TaskInfo t) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("task", t.getTaskId());
    row.put("agent", t.getAgent());
    row.put("purpose", t.getPurpose());
    row.put("roles", t.getRolesList());
    row.put("state", state(t.getState()));
    row.put("created", instant(t.getCreatedAt()));
    row.put("expires", instant(t.getExpiresAt()));
    return row;
  }

  static Map<String, Object> lease(LeaseInfo l) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("lease", l.getLeaseId());
    row.put("role", l.getRole());
    row.put("kind", l.getKind());
    row.put("issued", instant(l.getIssuedAt()));
    row.put("expires", instant(l.getExpiresAt()));
    row.put("revoked", l.getRevoked());
    return row;
  }

  static String state(TaskState s) {
    return s.name().replace("TASK_STATE_", "").toLowerCase(Locale.ROOT);
  }

  /** {@code open}, {@code completed}, {@code revoked} or {@code expired}. */
  static TaskState parseState(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "open" -> TaskState.TASK_STATE_OPEN;
      case "completed" -> TaskState.TASK_STATE_COMPLETED;
      case "revoked" -> TaskState.TASK_STATE_REVOKED;
      case "expired" -> TaskState.TASK_STATE_EXPIRED;
      default -> throw new IllegalArgumentException(
          "--state " + name + " (expected: open, completed, revoked or expired)");
    };
  }

  static String instant(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds()).toString();
  }
}
