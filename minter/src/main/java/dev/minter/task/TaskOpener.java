package dev.minter.task;

import static dev.minter.task.TaskAudit.base;
import static dev.minter.task.TaskAudit.denial;
import static dev.minter.task.TaskException.Kind.DENIED;
import static dev.minter.task.TaskException.Kind.NOT_FOUND;
import static dev.minter.task.TaskException.Kind.NOT_OPEN;

import dev.minter.attest.WorkloadIdentity;
import dev.minter.audit.AuditEvent;
import dev.minter.ledger.Ledger;
import dev.minter.ledger.TaskRecord;
import dev.minter.ledger.TaskState;
import dev.minter.policy.Decision;
import dev.minter.policy.Grant;
import dev.minter.policy.PolicyContext;
import dev.minter.policy.PolicyEngine;
import dev.minter.policy.PolicyRequest;
import dev.minter.vault.TaskToken;
import dev.minter.vault.VaultGateway;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * BeginTask: checks the request, resolves its delegation evidence, asks the policy and the guards, then opens the
 * task: audit intent → Vault task token (a child's created with its parent's) → ledger row → audit outcome.
 *
 * <p>The intent record is durable before Vault is asked; a token whose ledger row or outcome record cannot be
 * written is discarded, so no task lives on unrecorded or unaudited.
 */
final class TaskOpener {
  private static final Logger log = LoggerFactory.getLogger(TaskOpener.class);

  private final Supplier<PolicyEngine> policy;
  private final VaultGateway vault;
  private final Ledger ledger;
  private final TaskAudit audit;
  private final TaskRevoker revoker;
  private final Inventory inventory;
  private final PolicyContexts contexts;
  private final Delegations delegations;
  private final List<TaskGuard> guards;
  private final Clock clock;

  TaskOpener(
      Supplier<PolicyEngine> policy,
      VaultGateway vault,
      Ledger ledger,
      TaskAudit audit,
      TaskRevoker revoker,
      Inventory inventory,
      PolicyContexts contexts,
      Delegations delegations,
      List<TaskGuard> guards,
      Clock clock) {
    this.policy = policy;
    this.vault = vault;
    this.ledger = ledger;
    this.audit = audit;
    this.revoker = revoker;
    this.inventory = inventory;
    this.contexts = contexts;
    this.delegations = delegations;
    this.guards = List.copyOf(guards);
    this.clock = clock;
  }

  /** Opens a task for {@code caller} if the policy allows all it asks for. */
  OpenedTask begin(WorkloadIdentity caller, BeginTaskCommand command) {
    inventory.seen(caller);
    try {
      TaskRequests.check(command);
    } catch (TaskException e) {
      audit.append(base("task.begin", caller).purpose(command.purpose()).decision("invalid").reason(e.getMessage()).build());
      throw e;
    }
    inventory.requireActive(caller, "task.begin", null, command.purpose(), String.join(",", command.roles()));
    PolicyEngine engine = policy.get();
    requireOwnerIfDemanded(caller, command, engine);
    requireDefinedRoles(caller, command, engine);
    Delegations.Resolved delegated = resolve(caller, command);
    PolicyContext context = contexts.of(caller, command.labels(), delegated.view());
    Decision decision =
        engine.decide(new PolicyRequest(caller, command.purpose(), command.roles(), command.ttl(), context));
    Grant grant =
        switch (decision) {
          case Decision.Allow allow -> allow.grant();
          case Decision.Deny deny -> {
            audit.append(denial(caller, command.purpose(), String.join(",", command.roles()), deny.rule(), deny.reason()));
            throw new TaskException(DENIED, "denied by policy rule '" + deny.rule() + "': " + deny.reason());
          }
        };
    grant = delegations.confine(caller, command, delegated, grant, engine); // child ⊆ parent; audits its refusals

    for (TaskGuard guard : guards) {
      guard.beforeBegin(caller, command, grant, context, engine);
    }
    return open(caller, command, delegated, grant);
  }

  private void requireOwnerIfDemanded(WorkloadIdentity caller, BeginTaskCommand command, PolicyEngine engine) {
    if (engine.requiresOwner() && !inventory.hasOwner(caller)) {
      String reason = "agent " + caller.id() + " has no registered owner (the policy requires one: an operator runs"
          + " minter agents register " + caller.id() + " --owner …)";
      audit.append(denial(caller, command.purpose(), String.join(",", command.roles()), "require_owner", reason));
      throw new TaskException(DENIED, reason);
    }
  }

  private void requireDefinedRoles(WorkloadIdentity caller, BeginTaskCommand command, PolicyEngine engine) {
    for (String role : command.roles()) {
      if (engine.role(role).isEmpty()) {
        String reason = "role '" + role + "' is not defined in the policy";
        audit.append(denial(caller, command.purpose(), role, Decision.Deny.DEFAULT_DENY, reason));
        throw new TaskException(NOT_FOUND, reason);
      }
    }
  }

  private Delegations.Resolved resolve(WorkloadIdentity caller, BeginTaskCommand command) {
    try {
      return delegations.resolve(caller, command);
    } catch (TaskException e) {
      audit.append(base("task.begin", caller).purpose(command.purpose()).role(String.join(",", command.roles()))
          .rule("delegation").decision(e.kind().name().toLowerCase()).reason(e.getMessage()).build());
      throw e;
    }
  }

  /** The allowed task, opened in order: intent record, Vault token, ledger row, outcome record. */
  private OpenedTask open(
      WorkloadIdentity caller, BeginTaskCommand command, Delegations.Resolved delegated, Grant grant) {
    String taskId = TaskIds.next();
    AuditEvent.Builder record =
        base("task.begin", caller)
            .task(taskId)
            .purpose(command.purpose())
            .role(String.join(",", command.roles()))
            .rule(grant.rule())
            .ttlSeconds(grant.ttl().toSeconds())
            .decision("allow");
    if (!delegated.view().chain().isEmpty()) {
      record.putList("chain", Delegations.auditChain(delegated.view().through(caller.id(), taskId, grant.rule())));
    }
    delegated.grantId().ifPresent(id -> record.put("grant_id", id));
    audit.append(record.copy().outcome("pending").build()); // write-ahead: durable before Vault is asked

    TaskToken token;
    try {
      Map<String, String> metadata = Map.of("task", taskId, "agent", caller.id(), "purpose", command.purpose());
      // A child task's token is created WITH its parent's, so revoking or expiring the parent revokes it in Vault.
      token = delegated.parent().isPresent()
          ? vault.createChildTaskToken(delegated.parent().get().token(), grant.vaultPolicies(), grant.ttl(), metadata)
          : vault.createTaskToken(grant.vaultPolicies(), grant.ttl(), metadata);
    } catch (RuntimeException e) {
      audit.appendQuietly(record.copy().outcome("failed").reason(e.getMessage()).build());
      throw e;
    }
    Instant now = clock.instant();
    TaskRecord opened;
    try {
      opened =
          new TaskRecord(
              taskId,
              caller.id(),
              caller.attestorKind(),
              command.purpose(),
              command.roles(),
              grant.rule(),
              command.labels(),
              token.token(),
              token.accessor(),
              now,
              token.expiresAt(),
              TaskState.OPEN,
              caller.claims(),
              delegated.parent().map(TaskRecord::taskId).orElse(""),
              delegated.view());
      ledger.insertTask(opened);
      delegated.grantId().ifPresent(id -> ledger.linkGrantChild(id, taskId));
      audit.append(
          record.copy().accessor(token.accessor()).outcome("ok").put("expires_at", token.expiresAt().toString())
              .build());
    } catch (RuntimeException e) {
      // Nothing half-done survives: without a ledger row or an audit record, the token must not live on.
      revoker.discardToken(taskId, token.accessor());
      audit.appendQuietly(record.copy().accessor(token.accessor()).outcome("failed").reason(e.getMessage()).build());
      throw e;
    }
    inventory.used(caller, command.roles(), command.purpose());
    closeIfAgentStopped(caller, opened);
    closeIfParentEnded(opened);
    for (TaskGuard guard : guards) {
      guard.begun(caller, opened);
    }
    log.info("task {} begun for {} (rule {}, ttl {})", taskId, caller.id(), grant.rule(), grant.ttl());
    return new OpenedTask(
        taskId, token.expiresAt(), grant.ttl(), command.roles(), grant.rule(), opened.chain(), opened.parentTaskId());
  }

  /**
   * Closes the race with a retirement: the agent was ACTIVE when its task began, but an operator may have suspended
   * or retired it before the task row was written, after the retirement's sweep of open tasks. Checked after the
   * row is durable, one of the two always sees the other; a task begun by a stopped agent is revoked, not handed out.
   */
  private void closeIfAgentStopped(WorkloadIdentity caller, TaskRecord task) {
    try {
      inventory.requireActive(caller, "task.begin", task.taskId(), task.purpose(), String.join(",", task.roles()));
    } catch (TaskException e) {
      try {
        revoker.end(task, TaskState.REVOKED, TaskRevoker.MINTER, e.getMessage());
      } catch (TaskException ended) {
        log.debug("task {} was ended concurrently: {}", task.taskId(), ended.getMessage());
      }
      throw e;
    }
  }

  /**
   * Closes the race with the end of a parent: its subtree walk may have run between the grant's redemption and this
   * child's row being written. Vault has already killed the child's token with the parent's; this keeps the ledger
   * honest and the caller told, checked after the row is durable so one of the two always sees the other.
   */
  private void closeIfParentEnded(TaskRecord task) {
    if (!task.isChild()) {
      return;
    }
    TaskState parent = ledger.findTask(task.parentTaskId()).map(TaskRecord::state).orElse(TaskState.REVOKED);
    if (parent == TaskState.OPEN) {
      return;
    }
    String reason = "parent task " + task.parentTaskId() + " is " + parent.name().toLowerCase();
    try {
      revoker.end(task, TaskState.REVOKED, TaskRevoker.MINTER, reason);
    } catch (TaskException ended) {
      log.debug("task {} was ended concurrently: {}", task.taskId(), ended.getMessage());
    }
    throw new TaskException(NOT_OPEN, reason);
  }
}
