package dev.minter.ledger;

import dev.minter.vault.LeaseType;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Minter's own state: tasks, the leases minted for them, and the revocation outbox. Vault stays the source of truth
 * for what is alive; the ledger is what Minter needs to revoke it and to keep serving open tasks after a restart.
 * Every method is durable on return; failures throw {@link LedgerException}.
 */
public interface Ledger extends AutoCloseable {

  void insertTask(TaskRecord task);

  Optional<TaskRecord> findTask(String taskId);

  /** Moves an {@link TaskState#OPEN} task to {@code state}; returns false if it was not open (someone else won). */
  boolean closeTask(String taskId, TaskState state, Instant at);

  /** Open tasks whose {@code expiresAt} is at or before {@code now}. */
  List<TaskRecord> openTasksExpiredAt(Instant now);

  void insertLease(LeaseRecord lease);

  List<LeaseRecord> leases(String taskId);

  void markLeaseRevoked(String leaseId);

  /** Queues a revocation Vault could not confirm, to be retried at {@code nextAttempt}. */
  void enqueueRevocation(String taskId, String target, LeaseType type, Instant nextAttempt, String error);

  /** Outbox entries due at {@code now}, oldest first, at most {@code limit}. */
  List<PendingRevocation> dueRevocations(Instant now, int limit);

  void completeRevocation(long id);

  void retryRevocation(long id, Instant nextAttempt, String error);

  @Override
  void close();

  /**
   * Tasks matching {@code query}, oldest first (by creation time, then id), at most {@code limit}, starting after the
   * task {@code afterTaskId} (null: from the start). Unknown {@code afterTaskId}: IllegalArgumentException.
   */
  List<TaskRecord> findTasks(TaskQuery query, int limit, String afterTaskId);

  /** The tasks opened with a grant from {@code parentTaskId} (its direct children), oldest first, in any state. */
  List<TaskRecord> children(String parentTaskId);

  // ---- quota counts (dev.minter.task.QuotaGuard) ----------------------------------------------------------------

  /** Tasks {@code agent} began that are open and not yet expired at {@code now} (a task past its TTL is dead). */
  int countOpenTasks(String agent, Instant now);

  /** The open, unexpired child tasks of {@code parentTaskId} at {@code now} (its fan-out, with its pending grants). */
  int countOpenChildren(String parentTaskId, Instant now);

  /** Like {@link #countOpenTasks}, over every agent whose inventory record names {@code owner}. */
  int countOpenTasksOfOwner(String owner, Instant now);

  /** Credentials minted for tasks of {@code agent} at or after {@code since}, whatever became of them since. */
  int countMintsSince(String agent, Instant since);

  /** Like {@link #countMintsSince}, over every agent whose inventory record names {@code owner}. */
  int countMintsOfOwnerSince(String owner, Instant since);

  /** Stores a grant {@code Delegate} just issued (not redeemed). */
  void insertGrant(GrantRecord grant);

  /** The grant with id {@code grantId}, redeemed or not. */
  Optional<GrantRecord> findGrant(String grantId);

  /**
   * Marks the grant redeemed at {@code at} if it was not redeemed yet and has not expired at {@code at}: the
   * compare-and-set is the {@code WHERE redeemed_at IS NULL}, so of racing redeemers exactly one gets true.
   */
  boolean redeemGrant(String grantId, Instant at);

  /** Records the child task opened with the redeemed grant {@code grantId}. */
  void linkGrantChild(String grantId, String childTaskId);

  /** How many grants of {@code parentTaskId} are neither redeemed nor expired at {@code now} (its pending fan-out). */
  int pendingGrants(String parentTaskId, Instant now);
}
