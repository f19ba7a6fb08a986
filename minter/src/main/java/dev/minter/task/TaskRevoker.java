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
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends tasks: ends the open tasks of the delegation subtree first, then revokes each recorded lease with {@code
 * sync=true} (so Vault confirms the backend cleanup), then the task token by accessor (which cascades in Vault to
 * anything left under it), and writes one audit record per task ended.
 * What Vault cannot confirm is queued durably in the ledger's outbox and retried until done; Vault's own TTLs stay the
 * backstop if Minter itself is gone.
 */
public final class TaskRevoker {
  private static final Logger log = LoggerFactory.getLogger(TaskRevoker.class);
  static final String MINTER = "minter";
  private static final Duration FIRST_RETRY = Duration.ofSeconds(5);
  private static final Duration MAX_RETRY = Duration.ofMinutes(5);
  /** How deep receipts nest; protobuf decoders refuse messages nested about 100 deep. */
  static final int MAX_RECEIPT_NESTING = 32;

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
   * Ends an open task and revokes all it holds, and first every open task of its delegation subtree.
   *
   * <p>The task is claimed in the ledger first (the compare-and-set that makes exactly one caller end it), then its
   * open children are ended depth-first, each before its parent: their leases revoked with {@code sync=true}, their
   * tokens by accessor. Vault would cascade the parent's token revocation to them anyway, but only asynchronously for
   * leases; revoking each child's leases itself is how Minter <em>confirms</em> the sub-agents' credentials are gone.
   * Each child is recorded as ended ({@link TaskState#EXPIRED} when the parent expired, else {@link
   * TaskState#REVOKED}) by {@code by}, with a reason naming its parent, and audited like any task end.
   *
   * @param state {@link TaskState#COMPLETED}, {@link TaskState#REVOKED} or {@link TaskState#EXPIRED}
   * @param by who ends it: the agent, an operator, or {@code minter} for expiry
   * @param why free text recorded with the audit record (e.g. an operator's reason); may be null
   * @return the task's receipt, with its children's receipts nested
   */
  public Receipt end(TaskRecord task, TaskState state, String by, String why) {
    if (!ledger.closeTask(task.taskId(), state, clock.instant())) {
      throw new TaskException(NOT_OPEN, "task " + task.taskId() + " is no longer open");
    }
    return new SubtreeWalk(state, by).run(task, why);
  }

  /**
   * One subtree's depth-first walk, iterative (a deep tree cannot overflow the stack) and with a visited set (a cycle
   * in a corrupted ledger cannot loop). Every task on {@code stack} is already closed in the ledger by this walk.
   */
  private final class SubtreeWalk {
    private final TaskState rootState;
    private final String by;
    private final Set<String> visited = new HashSet<>();
    private RuntimeException failure;

    SubtreeWalk(TaskState rootState, String by) {
      this.rootState = rootState;
      this.by = by;
    }

    Receipt run(TaskRecord root, String why) {
      visited.add(root.taskId());
      List<Frame> stack = new ArrayList<>();
      stack.add(new Frame(root, rootState, why, openChildren(root)));
      while (true) {
        Frame top = stack.getLast();
        if (top.pending.hasNext()) {
          TaskRecord child = top.pending.next();
          if (!visited.add(child.taskId())) {
            log.warn("task {} appears twice in the delegation subtree of {}: not ended twice", child.taskId(), root.taskId());
            continue;
          }
          TaskState childState = rootState == TaskState.EXPIRED ? TaskState.EXPIRED : TaskState.REVOKED;
          if (!ledger.closeTask(child.taskId(), childState, clock.instant())) {
            continue; // ended meanwhile by someone else, who revokes it and writes its receipt
          }
          String reason = "parent task " + top.task.taskId() + " " + pastTense(top.state);
          stack.add(new Frame(child, childState, reason, openChildren(child)));
          continue;
        }
        stack.removeLast();
        Receipt receipt = null;
        try {
          receipt = revokeOwn(top, by);
          audit.append(record(top, receipt, by).build());
        } catch (RuntimeException e) {
          if (stack.isEmpty()) {
            throw withEarlier(e);
          }
          // A child could not be finished (its ledger rows or its audit record failed). Go on revoking its ancestors
          // (failing here would leave their credentials alive, and Vault's cascade from them covers the child's
          // token), then fail the whole call so nobody reads the result as clean.
          log.error("task {} of the subtree of {} not cleanly ended: {}", top.task.taskId(), root.taskId(), e.toString());
          failure = failure == null ? e : failure;
        }
        if (receipt == null) {
          continue;
        }
        log.info("task {} ended ({}) by {}: {} credential(s), token {}, {} child task(s)", top.task.taskId(),
            receipt.reason(), by, receipt.credentials().size(), receipt.token(), receipt.children().size());
        if (stack.isEmpty()) {
          if (failure != null) {
            throw failure;
          }
          return receipt;
        }
        // Receipts nest at most MAX_RECEIPT_NESTING deep (wire decoders limit message depth); deeper ones are listed
        // under the deepest allowed ancestor.
        stack.get(Math.min(stack.size(), MAX_RECEIPT_NESTING - 1) - 1).ended.add(receipt);
      }
    }

    private RuntimeException withEarlier(RuntimeException e) {
      if (failure != null && failure != e) {
        e.addSuppressed(failure);
      }
      return e;
    }

    /** The task's open children; if the ledger cannot say, none (Vault's cascade from the parent's token remains). */
    private Iterator<TaskRecord> openChildren(TaskRecord task) {
      try {
        return ledger.children(task.taskId()).stream().filter(c -> c.state() == TaskState.OPEN).iterator();
      } catch (RuntimeException e) {
        log.error("cannot list the children of task {}; relying on Vault's cascade for them: {}", task.taskId(), e.toString());
        return Collections.emptyIterator();
      }
    }
  }

  /** A task of the walk: closed in the ledger, children still to visit, receipts of the children already ended. */
  private static final class Frame {
    final TaskRecord task;
    final TaskState state;
    final String why;
    final Iterator<TaskRecord> pending;
    final List<Receipt> ended = new ArrayList<>();

    Frame(TaskRecord task, TaskState state, String why, Iterator<TaskRecord> pending) {
      this.task = task;
      this.state = state;
      this.why = why;
      this.pending = pending;
    }
  }

  /** Revokes the task's own leases and then its token; its children are already in {@code frame.ended}. */
  private Receipt revokeOwn(Frame frame, String by) {
    TaskRecord task = frame.task;
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
    return new Receipt(task.taskId(), reasonOf(frame.state), items, token.status(), clock.instant(), by, frame.ended);
  }

  private static AuditEvent.Builder record(Frame frame, Receipt receipt, String by) {
    TaskRecord task = frame.task;
    AuditEvent.Builder record =
        AuditEvent.of(eventOf(frame.state))
            .identity(by)
            .task(task.taskId())
            .purpose(task.purpose())
            .accessor(task.tokenAccessor())
            .put("agent", task.agent())
            .put("revoked", count(receipt, RevocationStatus.REVOKED))
            .put("already_gone", count(receipt, RevocationStatus.ALREADY_GONE))
            .put("queued", count(receipt, RevocationStatus.FAILED_QUEUED))
            .put("token", receipt.token().name().toLowerCase())
            .put("leases", String.join(",", receipt.credentials().stream().map(Receipt.Item::leaseId).toList()))
            .reason(frame.why)
            .requestId(RequestIds.current())
            .outcome(receipt.confirmedHere() ? "confirmed" : "queued");
    if (task.isChild()) {
      record.put("parent", task.parentTaskId());
    }
    if (!receipt.children().isEmpty()) {
      record.put("children", String.join(",", receipt.children().stream().map(Receipt::taskId).toList()));
    }
    if (!task.delegation().chain().isEmpty()) {
      record.putList("chain", Delegations.auditChain(task.chain()));
    }
    return record;
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

  private static String pastTense(TaskState state) {
    return switch (state) {
      case COMPLETED -> "completed";
      case REVOKED -> "revoked";
      case EXPIRED -> "expired";
      case OPEN -> "ended";
    };
  }

  private static String eventOf(TaskState state) {
    return "task." + reasonOf(state);
  }

  private record Outcome(RevocationStatus status, String detail) {}
}
