package dev.minter.task;

import static dev.minter.task.TaskException.Kind.NOT_OPEN;

import dev.minter.audit.AuditEvent;
import dev.minter.audit.AuditLog;
import dev.minter.ledger.LeaseRecord;
import dev.minter.ledger.Ledger;
import dev.minter.ledger.PendingRevocation;
import dev.minter.ledger.TaskRecord;
import dev.minter.ledger.TaskState;
import dev.minter.vault.LeaseType;
import dev.minter.vault.MintedCredential;
import dev.minter.vault.RevocationOutcome;
import dev.minter.vault.VaultGateway;
import dev.minter.vault.VaultRequestException;
import dev.minter.vault.VaultUnavailableException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends tasks: revokes each recorded lease with {@code sync=true} (so Vault confirms the backend cleanup), then the task
 * token by accessor (which cascades in Vault to anything left under it), and writes a receipt to the audit log.
 * What Vault cannot confirm is queued durably in the ledger's outbox and retried until done; Vault's own TTLs stay the
 * backstop if Minter itself is gone.
 */
public final class TaskRevoker {
  private static final Logger log = LoggerFactory.getLogger(TaskRevoker.class);
  static final String MINTER = "minter";
  private static final Duration FIRST_RETRY = Duration.ofSeconds(5);
  private static final Duration MAX_RETRY = Duration.ofMinutes(5);

  private final VaultGateway vault;
  private final Ledger ledger;
  private final AuditLog audit;
  private final Clock clock;

  public TaskRevoker(VaultGateway vault, Ledger ledger, AuditLog audit, Clock clock) {
    this.vault = vault;
    this.ledger = ledger;
    this.audit = audit;
    this.clock = clock;
  }

  /**
   * Ends an open task and revokes all it holds.
   *
   * @param state {@link TaskState#COMPLETED}, {@link TaskState#REVOKED} or {@link TaskState#EXPIRED}
   * @param by who ends it: the agent, an operator, or {@code minter} for expiry
   * @param why free text recorded with the audit record (e.g. an operator's reason); may be null
   */
  public Receipt end(TaskRecord task, TaskState state, String by, String why) {
    if (!ledger.closeTask(task.taskId(), state, clock.instant())) {
      throw new TaskException(NOT_OPEN, "task " + task.taskId() + " is no longer open");
    }
    List<Receipt.Item> items = new ArrayList<>();
    for (LeaseRecord lease : ledger.leases(task.taskId())) {
      if (lease.revoked()) {
        items.add(new Receipt.Item(lease.leaseId(), lease.role(), lease.kind(), RevocationStatus.ALREADY_GONE, "revoked earlier"));
        continue;
      }
      if (lease.leaseType() == LeaseType.NONE) {
        items.add(new Receipt.Item(lease.leaseId(), lease.role(), lease.kind(), RevocationStatus.EXPIRES_ONLY,
            "cannot be revoked early; expires at " + lease.expiresAt()));
        continue;
      }
      Outcome outcome = revoke(task.taskId(), lease.leaseId(), lease.leaseType());
      items.add(new Receipt.Item(lease.leaseId(), lease.role(), lease.kind(), outcome.status(), outcome.detail()));
    }
    Outcome token = revoke(task.taskId(), task.tokenAccessor(), LeaseType.TOKEN);
    Receipt receipt = new Receipt(task.taskId(), reasonOf(state), items, token.status(), clock.instant(), by);

    AuditEvent.Builder record =
        AuditEvent.of(eventOf(state))
            .identity(by)
            .task(task.taskId())
            .purpose(task.purpose())
            .accessor(task.tokenAccessor())
            .put("agent", task.agent())
            .put("revoked", count(receipt, RevocationStatus.REVOKED))
            .put("already_gone", count(receipt, RevocationStatus.ALREADY_GONE))
            .put("queued", count(receipt, RevocationStatus.FAILED_QUEUED))
            .put("token", token.status().name().toLowerCase())
            .put("leases", String.join(",", items.stream().map(Receipt.Item::leaseId).toList()))
            .reason(why)
            .requestId(RequestIds.current())
            .outcome(receipt.confirmed() ? "confirmed" : "queued");
    audit.append(record.build());
    log.info("task {} ended ({}) by {}: {} credential(s), token {}", task.taskId(), receipt.reason(), by, items.size(), token.status());
    return receipt;
  }

  /** Records that Vault's TTL has ended a task, and confirms its credentials are gone. */
  public void expire(TaskRecord task) {
    try {
      end(task, TaskState.EXPIRED, MINTER, "ttl elapsed");
    } catch (TaskException e) {
      log.debug("task {} was ended concurrently: {}", task.taskId(), e.getMessage());
    }
  }

  /** Ends every open task whose TTL has run out. Returns how many it ended. */
  public int expireDue() {
    int n = 0;
    for (TaskRecord task : ledger.openTasksExpiredAt(clock.instant())) {
      expire(task);
      n++;
    }
    return n;
  }

  /** Retries queued revocations that are due. Returns how many were confirmed. */
  public int retryQueued() {
    int confirmed = 0;
    for (PendingRevocation pending : ledger.dueRevocations(clock.instant(), 100)) {
      try {
        RevocationOutcome outcome = revokeInVault(pending.target(), pending.type());
        if (pending.type() == LeaseType.LEASE) {
          ledger.markLeaseRevoked(pending.target());
        }
        ledger.completeRevocation(pending.id());
        audit.append(
            AuditEvent.of("revocation.confirm")
                .identity(MINTER)
                .task(pending.taskId())
                .put(pending.type() == LeaseType.LEASE ? "lease_id" : "token_accessor", pending.target())
                .put("attempts", String.valueOf(pending.attempts() + 1))
                .outcome(outcome.name().toLowerCase())
                .build());
        confirmed++;
      } catch (VaultUnavailableException | VaultRequestException e) {
        Duration wait = backoff(pending.attempts() + 1);
        ledger.retryRevocation(pending.id(), clock.instant().plus(wait), e.getMessage());
        log.warn("revocation of {} for task {} still failing (attempt {}), next in {}: {}",
            pending.target(), pending.taskId(), pending.attempts() + 1, wait, e.getMessage());
      }
    }
    return confirmed;
  }

  /** Revokes a task token that never became a task (its ledger row or audit record failed). */
  void discardToken(String taskId, String accessor) {
    revoke(taskId, accessor, LeaseType.TOKEN);
  }

  /** Revokes a credential that must not leave Minter (its ledger row or audit record failed). */
  void discardCredential(String taskId, MintedCredential minted) {
    Outcome outcome = revoke(taskId, minted.leaseId(), minted.leaseType());
    log.warn("discarded credential {} of task {}: {}", minted.leaseId(), taskId, outcome.status());
  }

  private Outcome revoke(String taskId, String target, LeaseType type) {
    try {
      RevocationOutcome outcome = revokeInVault(target, type);
      if (type == LeaseType.LEASE) {
        markRevokedQuietly(target);
      }
      return outcome == RevocationOutcome.REVOKED
          ? new Outcome(RevocationStatus.REVOKED, "")
          : new Outcome(RevocationStatus.ALREADY_GONE, "already expired or revoked in Vault");
    } catch (VaultUnavailableException | VaultRequestException e) {
      Instant next = clock.instant().plus(FIRST_RETRY);
      ledger.enqueueRevocation(taskId, target, type, next, e.getMessage());
      log.warn("could not revoke {} of task {} now, queued for retry: {}", target, taskId, e.getMessage());
      return new Outcome(RevocationStatus.FAILED_QUEUED, "queued for retry: " + e.getMessage());
    }
  }

  private RevocationOutcome revokeInVault(String target, LeaseType type) {
    return switch (type) {
      case LEASE -> vault.revokeLease(target);
      case TOKEN -> vault.revokeAccessor(target);
      case NONE -> RevocationOutcome.ALREADY_GONE; // nothing to revoke: it only expires
    };
  }

  private void markRevokedQuietly(String leaseId) {
    try {
      ledger.markLeaseRevoked(leaseId);
    } catch (RuntimeException e) {
      log.warn("lease {} is revoked in Vault but the ledger could not record it: {}", leaseId, e.toString());
    }
  }

  static Duration backoff(int attempts) {
    Duration d = FIRST_RETRY.multipliedBy(1L << Math.min(attempts, 10));
    return d.compareTo(MAX_RETRY) > 0 ? MAX_RETRY : d;
  }

  private static String count(Receipt receipt, RevocationStatus status) {
    long n = receipt.credentials().stream().filter(c -> c.status() == status).count();
    return String.valueOf(n);
  }

  private static String reasonOf(TaskState state) {
    return switch (state) {
      case COMPLETED -> "complete";
      case REVOKED -> "revoke";
      case EXPIRED -> "expire";
      case OPEN -> throw new IllegalArgumentException("a task cannot end in state OPEN");
    };
  }

  private static String eventOf(TaskState state) {
    return "task." + reasonOf(state);
  }

  private record Outcome(RevocationStatus status, String detail) {}
}
