package dev.minter.task;

import static dev.minter.task.TaskException.Kind.DENIED;
import static dev.minter.task.TaskException.Kind.NOT_FOUND;
import static dev.minter.task.TaskException.Kind.NOT_OPEN;

import dev.minter.attest.WorkloadIdentity;
import dev.minter.audit.AuditEvent;
import dev.minter.audit.AuditLog;
import dev.minter.ledger.Ledger;
import dev.minter.ledger.LeaseRecord;
import dev.minter.ledger.TaskQuery;
import dev.minter.ledger.TaskRecord;
import dev.minter.ledger.TaskState;
import dev.minter.policy.Decision;
import dev.minter.policy.DelegationView;
import dev.minter.policy.PolicyContext;
import dev.minter.policy.Grant;
import dev.minter.policy.PolicyEngine;
import dev.minter.policy.PolicyRequest;
import dev.minter.policy.RoleSpec;
import dev.minter.vault.Credential;
import dev.minter.vault.CredentialEngine;
import dev.minter.vault.CredentialEngines;
import dev.minter.vault.MintedCredential;
import dev.minter.vault.TaskToken;
import dev.minter.vault.VaultGateway;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * revoked and the call fails, so no secret leaves Minter unaudited.
 */
public final class TaskService {
  private static final Logger log = LoggerFactory.getLogger(TaskService.class);

  private final Supplier<PolicyEngine> policy;
  private final VaultGateway vault;
  private final CredentialEngines engines;
  private final Ledger ledger;
  private final AuditLog audit;
  private final TaskRevoker revoker;
  private final Inventory inventory;
  private final PolicyContexts contexts;
  private final Delegations delegations;
  private final List<TaskGuard> guards;
  private final Clock clock;

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
    this.contexts = contexts;
    this.delegations = delegations;
    this.guards = List.copyOf(guards);
    this.policy = policy;
    this.vault = vault;
    this.engines = engines;
    this.ledger = ledger;
    this.audit = audit;
    this.revoker = revoker;
    this.inventory = inventory;
    this.clock = clock;
  }

  /** Opens a task for {@code caller} if the policy allows all it asks for. */
  public OpenedTask begin(WorkloadIdentity caller, BeginTaskCommand command) {
    inventory.seen(caller);
    try {
      TaskRequests.check(command);
    } catch (TaskException e) {
      audit.append(base("task.begin", caller).purpose(command.purpose()).decision("invalid").reason(e.getMessage()).build());
      throw e;
    }
    inventory.requireActive(caller, "task.begin", null, command.purpose(), String.join(",", command.roles()));
    PolicyEngine engine = policy.get();
    if (engine.requiresOwner() && !inventory.hasOwner(caller)) {
      String reason = "agent " + caller.id() + " has no registered owner (the policy requires one: an operator runs"
          + " minter agents register " + caller.id() + " --owner …)";
      audit.append(denial(caller, command.purpose(), String.join(",", command.roles()), "require_owner", reason));
      throw new TaskException(DENIED, reason);
    }
    for (String role : command.roles()) {
      if (engine.role(role).isEmpty()) {
        String reason = "role '" + role + "' is not defined in the policy";
        audit.append(denial(caller, command.purpose(), role, Decision.Deny.DEFAULT_DENY, reason));
        throw new TaskException(NOT_FOUND, reason);
      }
    }
    Delegations.Resolved delegated;
    try {
      delegated = delegations.resolve(caller, command);
    } catch (TaskException e) {
      audit.append(base("task.begin", caller).purpose(command.purpose()).role(String.join(",", command.roles()))
          .rule("delegation").decision(e.kind().name().toLowerCase()).reason(e.getMessage()).build());
      throw e;
    }
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
      record.putList("chain", Delegations.auditChain(delegated.view(), caller.id(), taskId, grant.rule()));
    }
    delegated.grantId().ifPresent(id -> record.put("grant_id", id));
    audit.append(copy(record).outcome("pending").build()); // write-ahead: durable before Vault is asked

    TaskToken token;
    try {
      Map<String, String> metadata = Map.of("task", taskId, "agent", caller.id(), "purpose", command.purpose());
      // A child task's token is created WITH its parent's, so revoking or expiring the parent revokes it in Vault.
      token = delegated.parent().isPresent()
          ? vault.createChildTaskToken(delegated.parent().get().token(), grant.vaultPolicies(), grant.ttl(), metadata)
          : vault.createTaskToken(grant.vaultPolicies(), grant.ttl(), metadata);
    } catch (RuntimeException e) {
      auditQuietly(copy(record).outcome("failed").reason(e.getMessage()).build());
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
      audit.append(copy(record).accessor(token.accessor()).outcome("ok").put("expires_at", token.expiresAt().toString()).build());
    } catch (RuntimeException e) {
      // Nothing half-done survives: without a ledger row or an audit record, the token must not live on.
      revoker.discardToken(taskId, token.accessor());
      auditQuietly(copy(record).accessor(token.accessor()).outcome("failed").reason(e.getMessage()).build());
      throw e;
    }
    inventory.used(caller, command.roles(), command.purpose());
    closeIfAgentStopped(caller, opened);
    closeIfParentEnded(opened);
    for (TaskGuard guard : guards) {
      guard.begun(caller, opened);
    }
    log.info("task {} begun for {} (rule {}, ttl {})", taskId, caller.id(), grant.rule(), grant.ttl());
    List<DelegationView.Link> chain = new java.util.ArrayList<>(delegated.view().chain());
    chain.add(DelegationView.Link.agent(caller.id(), taskId, grant.rule()));
    return new OpenedTask(
        taskId, token.expiresAt(), grant.ttl(), command.roles(), grant.rule(), chain, opened.parentTaskId());
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
    return refusalsAudited("credential.mint", caller, taskId, () -> mintChecked(caller, taskId, roleName, parameters));
  }

  private Minted mintChecked(
      WorkloadIdentity caller, String taskId, String roleName, Map<String, String> parameters) {
    TaskRequests.checkId("task_id", taskId);
    TaskRequests.checkParameters(parameters);
    TaskRequests.checkId("role", roleName);
    inventory.seen(caller);
    inventory.requireActive(caller, "credential.mint", taskId, null, roleName);
    TaskRecord task = ownedOpenTask(caller, taskId);
    if (!task.roles().contains(roleName)) {
      String reason = "role '" + roleName + "' was not granted to task " + taskId + " (granted: " + task.roles() + ")";
      audit.append(denial(caller, task.purpose(), roleName, task.rule(), reason, taskId));
      throw new TaskException(DENIED, reason);
    }
    PolicyEngine engine = policy.get();
    Optional<RoleSpec> role = engine.role(roleName);
    if (role.isEmpty()) {
      throw new TaskException(NOT_FOUND, "role '" + roleName + "' is not defined in the policy");
    }
    Duration remaining = Duration.between(clock.instant(), task.expiresAt());
    // Runtime policy: the rule is checked again now, not only when the task began.
    DelegationView delegation = delegations.viewOf(task);
    PolicyContext context = contexts.of(caller, task.labels(), delegation);
    Decision decision =
        engine.decide(new PolicyRequest(caller, task.purpose(), List.of(roleName), Optional.of(remaining), context));
    if (decision instanceof Decision.Deny deny) {
      audit.append(denial(caller, task.purpose(), roleName, deny.rule(), deny.reason(), taskId));
      throw new TaskException(DENIED, "denied by policy rule '" + deny.rule() + "': " + deny.reason());
    }
    for (TaskGuard guard : guards) {
      guard.beforeMint(caller, task, roleName, context, engine);
    }
    CredentialEngine credentialEngine =
        engines
            .forKind(role.get().kind())
            .orElseThrow(() -> new IllegalStateException("no credential engine for kind '" + role.get().kind() + "'"));

    AuditEvent.Builder record =
        base("credential.mint", caller)
            .task(taskId)
            .purpose(task.purpose())
            .role(roleName)
            .rule(task.rule())
            .put("kind", role.get().kind())
            .accessor(task.tokenAccessor())
            .decision("allow");
    if (!delegation.chain().isEmpty()) {
      record.putList("chain", Delegations.auditChain(delegation, caller.id(), taskId, task.rule()));
    }
    audit.append(copy(record).outcome("pending").build()); // write-ahead

    MintedCredential minted;
    try {
      minted =
          credentialEngine.mint(
              vault,
              new TaskToken(task.token(), task.tokenAccessor(), task.expiresAt()),
              role.get(),
              remaining,
              parameters);
    } catch (RuntimeException e) {
      auditQuietly(copy(record).outcome("failed").reason(e.getMessage()).build());
      throw e;
    }
    try {
      ledger.insertLease(
          new LeaseRecord(
              minted.leaseId(), taskId, roleName, minted.kind(), minted.leaseType(), clock.instant(), minted.expiresAt(), false));
      AuditEvent.Builder outcome =
          copy(record)
              .lease(minted.leaseId())
              .ttlSeconds(Math.max(0, Duration.between(clock.instant(), minted.expiresAt()).toSeconds()))
              .put("expires_at", minted.expiresAt().toString())
              .outcome("issued");
      if (minted.credential() instanceof Credential.Database db) {
        outcome.username(db.username()); // the username, never the password
      } else if (minted.credential() instanceof Credential.RabbitMq mq) {
        outcome.username(mq.username());
      }
      audit.append(outcome.build());
    } catch (RuntimeException e) {
      // The lease exists in Vault but is unrecorded or unaudited: it must not leave Minter, and must not live on.
      revoker.discardCredential(taskId, minted);
      auditQuietly(copy(record).lease(minted.leaseId()).outcome("failed").reason(e.getMessage()).build());
      throw e;
    }
    inventory.used(caller, List.of(roleName), task.purpose());
    for (TaskGuard guard : guards) {
      guard.minted(caller, task, roleName);
    }
    log.info("minted {} for task {} (lease {})", roleName, taskId, minted.leaseId());
    return new Minted(taskId, roleName, minted);
  }

  /** Ends the caller's own task: revokes every credential minted for it and the task token. */
  public Receipt complete(WorkloadIdentity caller, String taskId) {
    return refusalsAudited("task.complete", caller, taskId, () -> completeChecked(caller, taskId));
  }

  private Receipt completeChecked(WorkloadIdentity caller, String taskId) {
    TaskRequests.checkId("task_id", taskId);
    seenQuietly(caller);
    TaskRecord task = find(taskId);
    checkOwner(caller, task);
    requireOpen(task);
    // Completing a task past its TTL still confirms its credentials gone; the receipt then says ALREADY_GONE.
    return revoker.end(task, TaskState.COMPLETED, caller.id(), null);
  }

  /** Revokes any open task on an operator's demand (the caller has been admitted as an admin). */
  public Receipt revoke(WorkloadIdentity operator, String taskId, String reason) {
    return refusalsAudited("task.revoke", operator, taskId, () -> revokeChecked(operator, taskId, reason));
  }

  private Receipt revokeChecked(WorkloadIdentity operator, String taskId, String reason) {
    TaskRequests.checkId("task_id", taskId);
    TaskRecord task = find(taskId);
    requireOpen(task);
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
    return new TaskDetail(find(taskId), ledger.leases(taskId));
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

  /** The caller's task, open and unexpired; anything else is refused (and audited when it is a denial). */
  /**
   * Runs {@code body}; a refusal it throws (bad input, unknown or ended task) is audited before it reaches the
   * caller. Denials are audited where they are decided, with the rule, so they are not written twice.
   */
  private <T> T refusalsAudited(String event, WorkloadIdentity caller, String taskId, Supplier<T> body) {
    try {
      return body.get();
    } catch (TaskException e) {
      // Denials and quota refusals are audited where they are decided, with the rule or limit.
      if (e.kind() != DENIED && e.kind() != TaskException.Kind.QUOTA) {
        audit.append(
            base(event, caller)
                .task(taskId.length() <= TaskRequests.MAX_ID_LENGTH ? taskId : null)
                .decision(e.kind().name().toLowerCase())
                .reason(e.getMessage())
                .build());
      }
      throw e;
    }
  }

  private TaskRecord find(String taskId) {
    return ledger.findTask(taskId).orElseThrow(() -> new TaskException(NOT_FOUND, "task " + taskId + " not found"));
  }

  private static void requireOpen(TaskRecord task) {
    if (task.state() != TaskState.OPEN) {
      throw new TaskException(NOT_OPEN, "task " + task.taskId() + " is " + task.state().name().toLowerCase());
    }
  }

  private TaskRecord ownedOpenTask(WorkloadIdentity caller, String taskId) {
    TaskRecord task = find(taskId);
    checkOwner(caller, task);
    requireOpen(task);
    if (!clock.instant().isBefore(task.expiresAt())) {
      revoker.expire(task);
      throw new TaskException(NOT_OPEN, "task " + taskId + " expired at " + task.expiresAt());
    }
    return task;
  }

  private void checkOwner(WorkloadIdentity caller, TaskRecord task) {
    if (!task.agent().equals(caller.id())) {
      // Only the identity that began a task may act on it; say nothing more about the task to anyone else.
      String reason = "task " + task.taskId() + " belongs to another identity";
      audit.append(denial(caller, null, null, "task-owner", reason, task.taskId()));
      throw new TaskException(DENIED, reason);
    }
  }

  private AuditEvent denial(WorkloadIdentity caller, String purpose, String role, String rule, String reason) {
    return denial(caller, purpose, role, rule, reason, null);
  }

  private AuditEvent denial(
      WorkloadIdentity caller, String purpose, String role, String rule, String reason, String taskId) {
    return base("policy.deny", caller)
        .task(taskId)
        .purpose(purpose)
        .role(role)
        .rule(rule)
        .decision("deny")
        .reason(reason)
        .build();
  }

  static AuditEvent.Builder base(String event, WorkloadIdentity caller) {
    return AuditEvent.of(event).identity(caller.id()).attestor(caller.attestorKind()).requestId(RequestIds.current());
  }

  private static AuditEvent.Builder copy(AuditEvent.Builder builder) {
    return builder.copy();
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

  /** Completing must never be blocked by bookkeeping: a failed inventory write is only logged. */
  private void seenQuietly(WorkloadIdentity caller) {
    try {
      inventory.seen(caller);
    } catch (RuntimeException e) {
      log.warn("could not record {} in the agent inventory: {}", caller.id(), e.toString());
    }
  }

  private void auditQuietly(AuditEvent event) {
    try {
      audit.append(event);
    } catch (RuntimeException e) {
      log.error("could not write audit record {} after a failure: {}", event.event(), e.toString());
    }
  }
}
