package dev.minter.task;

import static dev.minter.task.TaskAudit.base;
import static dev.minter.task.TaskAudit.denial;
import static dev.minter.task.TaskException.Kind.DENIED;
import static dev.minter.task.TaskException.Kind.NOT_FOUND;

import dev.minter.attest.WorkloadIdentity;
import dev.minter.audit.AuditEvent;
import dev.minter.ledger.LeaseRecord;
import dev.minter.ledger.Ledger;
import dev.minter.ledger.TaskRecord;
import dev.minter.policy.Decision;
import dev.minter.policy.DelegationView;
import dev.minter.policy.PolicyContext;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MintCredential: the policy is asked again at every mint (a policy change takes effect on the next call), then
 * audit intent → credential engine → ledger lease row → audit outcome.
 *
 * <p>The intent record is durable before Vault is asked, and a credential is handed out only after its outcome
 * record is durable. If that record cannot be written the fresh lease is revoked and the call fails, so no secret
 * leaves Minter unaudited.
 */
final class CredentialMinter {
  private static final Logger log = LoggerFactory.getLogger(CredentialMinter.class);

  private final Supplier<PolicyEngine> policy;
  private final VaultGateway vault;
  private final CredentialEngines engines;
  private final Ledger ledger;
  private final TaskAudit audit;
  private final TaskLookup tasks;
  private final TaskRevoker revoker;
  private final Inventory inventory;
  private final PolicyContexts contexts;
  private final Delegations delegations;
  private final List<TaskGuard> guards;
  private final Clock clock;

  CredentialMinter(
      Supplier<PolicyEngine> policy,
      VaultGateway vault,
      CredentialEngines engines,
      Ledger ledger,
      TaskAudit audit,
      TaskLookup tasks,
      TaskRevoker revoker,
      Inventory inventory,
      PolicyContexts contexts,
      Delegations delegations,
      List<TaskGuard> guards,
      Clock clock) {
    this.policy = policy;
    this.vault = vault;
    this.engines = engines;
    this.ledger = ledger;
    this.audit = audit;
    this.tasks = tasks;
    this.revoker = revoker;
    this.inventory = inventory;
    this.contexts = contexts;
    this.delegations = delegations;
    this.guards = List.copyOf(guards);
    this.clock = clock;
  }

  /** Mints one credential of {@code roleName} for the caller's open task; refusals are audited. */
  TaskService.Minted mint(WorkloadIdentity caller, String taskId, String roleName, Map<String, String> parameters) {
    return audit.refusalsAudited(
        "credential.mint", caller, taskId, () -> mintChecked(caller, taskId, roleName, parameters));
  }

  private TaskService.Minted mintChecked(
      WorkloadIdentity caller, String taskId, String roleName, Map<String, String> parameters) {
    TaskRequests.checkId("task_id", taskId);
    TaskRequests.checkParameters(parameters);
    TaskRequests.checkId("role", roleName);
    inventory.seen(caller);
    inventory.requireActive(caller, "credential.mint", taskId, null, roleName);
    TaskRecord task = tasks.ownedOpenTask(caller, taskId);
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
      record.putList("chain", Delegations.auditChain(task.chain()));
    }
    audit.append(record.copy().outcome("pending").build()); // write-ahead

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
      audit.appendQuietly(record.copy().outcome("failed").reason(e.getMessage()).build());
      throw e;
    }
    try {
      ledger.insertLease(
          new LeaseRecord(
              minted.leaseId(), taskId, roleName, minted.kind(), minted.leaseType(), clock.instant(), minted.expiresAt(), false));
      AuditEvent.Builder outcome =
          record.copy()
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
      audit.appendQuietly(record.copy().lease(minted.leaseId()).outcome("failed").reason(e.getMessage()).build());
      throw e;
    }
    inventory.used(caller, List.of(roleName), task.purpose());
    for (TaskGuard guard : guards) {
      guard.minted(caller, task, roleName);
    }
    log.info("minted {} for task {} (lease {})", roleName, taskId, minted.leaseId());
    return new TaskService.Minted(taskId, roleName, minted);
  }
}
