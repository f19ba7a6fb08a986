package dev.minter.ledger;

import static java.util.Objects.requireNonNull;

import dev.minter.vault.LeaseType;
import java.time.Instant;

/**
 * A revocation Vault could not confirm yet, kept durably in the outbox and retried until done.
 *
 * @param id the outbox row id
 * @param taskId the task it belongs to
 * @param target the lease id or token accessor to revoke
 * @param type whether {@code target} is a lease or a token accessor
 * @param attempts how many times it was tried
 * @param nextAttempt when to try next
 * @param lastError the last failure, for operators (never secret)
 */
public record PendingRevocation(
    long id, String taskId, String target, LeaseType type, int attempts, Instant nextAttempt, String lastError) {
  public PendingRevocation {
    requireNonNull(taskId, "taskId");
    requireNonNull(target, "target");
    requireNonNull(type, "type");
    requireNonNull(nextAttempt, "nextAttempt");
    requireNonNull(lastError, "lastError");
  }
}
