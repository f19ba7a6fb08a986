package dev.minter.task;

import static dev.minter.task.TaskException.Kind.DENIED;
import static dev.minter.task.TaskException.Kind.NOT_OPEN;
import static dev.minter.task.TaskException.Kind.UNAUTHENTICATED;

import dev.minter.attest.WorkloadIdentity;
import dev.minter.audit.AuditLog;
import dev.minter.delegation.GrantClaims;
import dev.minter.delegation.GrantTokens;
import dev.minter.ledger.GrantRecord;
import dev.minter.ledger.Ledger;
import dev.minter.ledger.TaskRecord;
import dev.minter.ledger.TaskState;
import dev.minter.policy.DelegationView;
import dev.minter.policy.Glob;
import dev.minter.policy.Grant;
import dev.minter.policy.PolicyEngine;
import dev.minter.policy.RoleSpec;
import dev.minter.vault.Secret;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The child-task side of agent → sub-agent delegation: redeems a grant at BeginTask, then confines the child's
 * policy grant to its parent before Vault is asked.
 *
 * <p>Why Minter checks child ⊆ parent itself: the child's Vault token is created with the parent task's token through
 * a token role, and a token role lets its caller pick any policy on the role's list, not only the caller's own. So
 * the roles, the Vault policies and the TTL of a child are checked here against the parent <em>as it is now</em>,
 * whatever the policy engine decided.
 */
public final class ChildGrants {
  private final GrantTokens tokens;
  private final Ledger ledger;
  private final AuditLog audit;
  private final Clock clock;

  public ChildGrants(GrantTokens tokens, Ledger ledger, AuditLog audit, Clock clock) {
    this.tokens = tokens;
    this.ledger = ledger;
    this.audit = audit;
    this.clock = clock;
  }

  /**
   * Verifies {@code grant} for {@code caller} and spends it. Refusals: forged, expired, unknown or used grant →
   * UNAUTHENTICATED; issued to another identity or not covering the request → DENIED; parent no longer open →
   * NOT_OPEN. A grant is spent by the first BeginTask that gets past these checks, even if the policy then refuses.
   */
  Delegations.Resolved redeem(WorkloadIdentity caller, Secret grant, BeginTaskCommand command) {
    GrantClaims claims =
        switch (tokens.verify(grant)) {
          case GrantTokens.Result.Invalid invalid ->
              throw new TaskException(UNAUTHENTICATED, "delegation grant refused: " + invalid.reason());
          case GrantTokens.Result.Valid valid -> valid.claims();
        };
    // Before the grant is spent: someone else presenting a stolen grant must not burn it for its sub-agent.
    if (!claims.subAgent().equals(caller.id())) {
      throw new TaskException(DENIED, "delegation grant " + claims.grantId() + " was issued to another identity");
    }
    GrantRecord row = ledger.findGrant(claims.grantId())
        .orElseThrow(() -> new TaskException(UNAUTHENTICATED, "delegation grant " + claims.grantId() + " is unknown"));
    if (!row.records(claims)) {
      throw new TaskException(UNAUTHENTICATED, "delegation grant " + claims.grantId() + " does not match Minter's record");
    }
    if (row.redeemedAt().isPresent()) {
      throw new TaskException(UNAUTHENTICATED, "delegation grant " + claims.grantId() + " already used");
    }
    TaskRecord parent = ledger.findTask(claims.parentTaskId())
        .orElseThrow(() -> new TaskException(NOT_OPEN, "parent task " + claims.parentTaskId() + " not found"));
    Instant now = clock.instant();
    if (parent.state() != TaskState.OPEN || !now.isBefore(parent.expiresAt())) {
      throw new TaskException(NOT_OPEN, "parent task " + parent.taskId() + " is no longer open");
    }
    Duration maxTtl = min(claims.maxTtl(), Duration.between(now, parent.expiresAt()));
    for (String role : command.roles()) {
      if (!claims.roles().contains(role)) {
        throw new TaskException(DENIED, "role '" + role + "' is not in delegation grant " + claims.grantId()
            + " (delegated: " + claims.roles() + ")");
      }
    }
    if (!claims.purposes().contains(command.purpose())) {
      throw new TaskException(DENIED, "purpose '" + command.purpose() + "' is not in delegation grant "
          + claims.grantId() + " (delegated: " + claims.purposes() + ")");
    }
    if (command.ttl().isPresent() && command.ttl().get().compareTo(maxTtl) > 0) {
      throw new TaskException(DENIED, "ttl " + command.ttl().get() + " exceeds what delegation grant "
          + claims.grantId() + " allows now (" + maxTtl.withNanos(0) + ")");
    }
    if (!ledger.redeemGrant(claims.grantId(), now)) {
      throw new TaskException(UNAUTHENTICATED, "delegation grant " + claims.grantId() + " already used");
    }
    List<DelegationView.Link> chain = parent.chain();
    DelegationView.Scope scope =
        new DelegationView.Scope(
            Set.copyOf(claims.roles()),
            claims.purposes().stream().map(Glob::compile).toList(), // exact: Delegate refuses '*' in purposes
            Optional.of(maxTtl));
    return new Delegations.Resolved(
        new DelegationView(chain, Optional.of(scope)), Optional.of(parent), Optional.of(claims.grantId()));
  }

  /**
   * Confines a child task's policy grant to its parent: roles ⊆ the parent's roles and the grant's scope, Vault
   * policies ⊆ the parent's (from the roles' specs in {@code engine}), TTL ≤ min(scope, parent's remaining time). An
   * explicitly requested TTL above that is refused; an unspecified one is capped. Refusals are audited here.
   */
  Grant confine(
      WorkloadIdentity caller, BeginTaskCommand command, Delegations.Resolved delegated, Grant grant,
      PolicyEngine engine) {
    TaskRecord parent = delegated.parent().orElseThrow();
    try {
      return confined(command, delegated, parent, grant, engine);
    } catch (TaskException e) {
      audit.append(
          TaskAudit.base("policy.deny", caller)
              .purpose(command.purpose())
              .role(String.join(",", command.roles()))
              .rule("delegation-scope")
              .decision("deny")
              .reason(e.getMessage())
              .put("parent_task", parent.taskId())
              .put("grant_id", delegated.grantId().orElse(null))
              .build());
      throw e;
    }
  }

  private Grant confined(
      BeginTaskCommand command, Delegations.Resolved delegated, TaskRecord parent, Grant grant, PolicyEngine engine) {
    Optional<DelegationView.Scope> scope = delegated.view().scope();
    Set<String> parentPolicies = new HashSet<>();
    for (String role : parent.roles()) {
      engine.role(role).ifPresent(spec -> parentPolicies.addAll(spec.vaultPolicies()));
    }
    for (RoleSpec role : grant.roles()) {
      if (!parent.roles().contains(role.name()) || scope.map(s -> !s.roles().contains(role.name())).orElse(true)) {
        throw new TaskException(DENIED, "role '" + role.name() + "' exceeds parent task " + parent.taskId());
      }
    }
    for (String policy : grant.vaultPolicies()) {
      if (!parentPolicies.contains(policy)) {
        throw new TaskException(DENIED, "Vault policy '" + policy + "' exceeds parent task " + parent.taskId());
      }
    }
    if (scope.isEmpty() || !scope.get().allowsPurpose(command.purpose())) {
      throw new TaskException(DENIED, "purpose '" + command.purpose() + "' exceeds parent task " + parent.taskId());
    }
    Duration max = Duration.between(clock.instant(), parent.expiresAt());
    if (scope.get().maxTtl().isPresent()) {
      max = min(max, scope.get().maxTtl().get());
    }
    if (command.ttl().isPresent() && command.ttl().get().compareTo(max) > 0) {
      throw new TaskException(DENIED, "ttl " + command.ttl().get() + " exceeds the parent task's remaining "
          + max.withNanos(0));
    }
    Duration ttl = Duration.ofSeconds(min(grant.ttl(), max).toSeconds());
    if (ttl.toSeconds() < 1) {
      throw new TaskException(NOT_OPEN, "parent task " + parent.taskId() + " expires in less than a second");
    }
    return new Grant(grant.rule(), grant.roles(), ttl, grant.vaultPolicies());
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
