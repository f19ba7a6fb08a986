package dev.minter.task;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/**
 * What Minter confirmed gone when a task ended.
 *
 * @param taskId the task
 * @param reason why it ended: {@code complete}, {@code revoke} or {@code expire}
 * @param credentials one entry per credential minted for the task
 * @param token the task token itself
 * @param revokedAt when
 * @param revokedBy who ended it (the agent, an operator, or {@code minter} for expiry)
 */
public record Receipt(
    String taskId,
    String reason,
    List<Item> credentials,
    RevocationStatus token,
    Instant revokedAt,
    String revokedBy) {
  public Receipt {
    requireNonNull(taskId, "taskId");
    requireNonNull(reason, "reason");
    credentials = List.copyOf(requireNonNull(credentials, "credentials"));
    requireNonNull(token, "token");
    requireNonNull(revokedAt, "revokedAt");
    requireNonNull(revokedBy, "revokedBy");
  }

  /** Whether everything is confirmed gone (nothing left queued). */
  public boolean confirmed() {
    return token != RevocationStatus.FAILED_QUEUED
        && credentials.stream().allMatch(c -> c.status() != RevocationStatus.FAILED_QUEUED);
  }

  /** One credential's fate. {@code detail} explains anything but {@link RevocationStatus#REVOKED}. */
  public record Item(String leaseId, String role, String kind, RevocationStatus status, String detail) {
    public Item {
      requireNonNull(leaseId, "leaseId");
      requireNonNull(role, "role");
      requireNonNull(kind, "kind");
      requireNonNull(status, "status");
      requireNonNull(detail, "detail");
    }
  }
}
