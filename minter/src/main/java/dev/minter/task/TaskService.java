package dev.minter.task;

import dev.minter.attest.WorkloadIdentity;
import dev.minter.audit.AuditLog;
import dev.minter.ledger.LeaseRecord;
import dev.minter.ledger.Ledger;
import dev.minter.ledger.TaskQuery;
import dev.minter.ledger.TaskRecord;
import dev.minter.ledger.TaskState;
import dev.minter.policy.PolicyEngine;
import dev.minter.vault.CredentialEngines;
import dev.minter.vault.MintedCredential;
import dev.minter.vault.VaultGateway;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Begins tasks and mints their credentials: attest (done by the caller) → decide → audit intent → Vault → ledger →
 * audit outcome. The policy is asked again at every mint, so a policy change takes effect on the next call.
 *
 * <p>Ordering is the security property here: the intent record is durable before Vault is asked, and a credential
 * is handed out only after its outcome record is durable. If that record cannot be written the fresh lease is
 * revoked and the call fails, so no secret leaves Minter unaudited. {@link TaskOpener} (BeginTask) and {@link
 * CredentialMinter} (MintCredential) hold that ordering; this class ends, lists and shows tasks.
 */
public final class TaskService {
  private static final Logger log = LoggerFactory.getLogger(TaskService.class);

  private final Ledger ledger;
  private final TaskRevoker revoker;
  private final Inventory inventory;
  private final Clock clock;
  private final TaskAudit audit;
  private final TaskLookup tasks;
  private final TaskOpener opener;
  private final CredentialMinter minter;

  public TaskService(
      Supplier<PolicyEngine> policy,
      VaultGateway vault,
      CredentialEngines engines,
      Ledger ledger,
      AuditLog audit,
      TaskRevoker revoker,
      Inventory inventory,
      PolicyContexts contexts,
      Delegations delegations,
      List<TaskGuard> guards,
      Clock clock) {
    this.ledger = ledger;
    this.revoker = revoker;
    this.inventory = inventory;
    this.clock = clock;
    this.audit = new TaskAudit(audit);
    this.tasks = new TaskLookup(ledger, this.audit, revoker, clock);
    this.opener =
        new TaskOpener(policy, vault, ledger, this.audit, revoker, inventory, contexts, delegations, guards, clock);
    this.minter =
        new CredentialMinter(
            policy, vault, engines, ledger, this.audit, tasks, revoker, inventory, contexts, delegations, guards,
            clock);
  }

  /** Opens a task for {@code caller} if the policy allows all it asks for. */
  public OpenedTask begin(WorkloadIdentity caller, BeginTaskCommand command) {
    return opener.begin(caller, command);
  }

  /** Mints one credential of {@code roleName} for the caller's open task. */
  public Minted mint(WorkloadIdentity caller, String taskId, String roleName) {
    return mint(caller, taskId, roleName, Map.of());
  }

  /**
   * Mints one credential of {@code roleName} with the agent's per-kind request {@code parameters} (e.g. a CSR for pki;
   * never logged or audited).
   */
  public Minted mint(WorkloadIdentity caller, String taskId, String roleName, Map<String, String> parameters) {
    return minter.mint(caller, taskId, roleName, parameters);
  }

  /** Ends the caller's own task: revokes every credential minted for it and the task token. */
  public Receipt complete(WorkloadIdentity caller, String taskId) {
    return audit.refusalsAudited("task.complete", caller, taskId, () -> completeChecked(caller, taskId));
  }

  private Receipt completeChecked(WorkloadIdentity caller, String taskId) {
    TaskRequests.checkId("task_id", taskId);
    seenQuietly(caller);
    TaskRecord task = tasks.find(taskId);
    tasks.checkOwner(caller, task);
    TaskLookup.requireOpen(task);
    // Completing a task past its TTL still confirms its credentials gone; the receipt then says ALREADY_GONE.
    return revoker.end(task, TaskState.COMPLETED, caller.id(), null);
  }

  /** Revokes any open task on an operator's demand (the caller has been admitted as an admin). */
  public Receipt revoke(WorkloadIdentity operator, String taskId, String reason) {
    return audit.refusalsAudited("task.revoke", operator, taskId, () -> revokeChecked(operator, taskId, reason));
  }

  private Receipt revokeChecked(WorkloadIdentity operator, String taskId, String reason) {
    TaskRequests.checkId("task_id", taskId);
    TaskRecord task = tasks.find(taskId);
    TaskLookup.requireOpen(task);
    return revoker.end(task, TaskState.REVOKED, operator.id(), reason == null || reason.isBlank() ? null : reason);
  }

  /** Operators' reads: tasks matching {@code query} (see {@link Ledger#findTasks}). */
  public List<TaskRecord> findTasks(TaskQuery query, int limit, String afterTaskId) {
    if (afterTaskId != null) {
      TaskRequests.checkId("page_token", afterTaskId);
    }
    return ledger.findTasks(query, limit, afterTaskId);
  }

  /** One task and the credentials minted for it, for an operator; NOT_FOUND if there is no such task. */
  public TaskDetail detail(String taskId) {
    TaskRequests.checkId("task_id", taskId);
    return new TaskDetail(tasks.find(taskId), ledger.leases(taskId));
  }

  /** Revokes every open task matching {@code query} for an admitted operator (see {@link BulkRevoker}). */
  public BulkRevoker.Summary revokeAll(
      WorkloadIdentity operator, TaskQuery query, String reason, boolean dryRun, BulkRevoker.Listener listener) {
    return new BulkRevoker(ledger, revoker, clock)
        .run(query, operator.id(), reason == null || reason.isBlank() ? null : reason, dryRun, listener);
  }

  /** A task with its leases. */
  public record TaskDetail(TaskRecord task, List<LeaseRecord> leases) {}

  /** The identities the agent inventory lists for {@code owner}. */
  public Set<String> agentsOwnedBy(String owner) {
    return inventory.ownedBy(owner);
  }

  /** A credential minted for a task. */
  public record Minted(String taskId, String role, MintedCredential credential) {}

  /** Completing must never be blocked by bookkeeping: a failed inventory write is only logged. */
  private void seenQuietly(WorkloadIdentity caller) {
    try {
      inventory.seen(caller);
    } catch (RuntimeException e) {
      log.warn("could not record {} in the agent inventory: {}", caller.id(), e.toString());
    }
  }
}
