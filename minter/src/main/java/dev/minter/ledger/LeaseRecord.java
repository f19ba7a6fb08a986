package dev.minter.ledger;

import static java.util.Objects.requireNonNull;

import dev.minter.vault.LeaseType;
import java.time.Instant;

/**
 * One credential minted for a task: enough to revoke it, nothing secret.
 *
 * @param leaseId Vault's lease id (for tokens: the accessor)
 * @param taskId the task it belongs to
 * @param role the role it was minted for
 * @param kind the engine kind
 * @param leaseType how it is revoked
 * @param issuedAt when it was minted
 * @param expiresAt when it stops working at the latest
 * @param revoked whether Minter has confirmed it revoked (or gone)
 */
public record LeaseRecord(
    String leaseId,
    String taskId,
    String role,
    String kind,
    LeaseType leaseType,
    Instant issuedAt,
    Instant expiresAt,
    boolean revoked) {
  public LeaseRecord {
    requireNonNull(leaseId, "leaseId");
    requireNonNull(taskId, "taskId");
    requireNonNull(role, "role");
    requireNonNull(kind, "kind");
    requireNonNull(leaseType, "leaseType");
    requireNonNull(issuedAt, "issuedAt");
    requireNonNull(expiresAt, "expiresAt");
  }
}
