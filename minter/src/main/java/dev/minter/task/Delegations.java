package dev.minter.task;

import static dev.minter.task.TaskException.Kind.DENIED;
import static dev.minter.task.TaskException.Kind.INVALID;
import static dev.minter.task.TaskException.Kind.UNAUTHENTICATED;
import static java.util.Objects.requireNonNull;

import dev.minter.attest.WorkloadIdentity;
import dev.minter.delegation.DelegationResult;
import dev.minter.delegation.DelegationTokenVerifier;
import dev.minter.ledger.TaskRecord;
import dev.minter.policy.DelegationView;
import dev.minter.policy.Grant;
import dev.minter.policy.PolicyEngine;
import dev.minter.vault.Secret;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a BeginTask's delegation evidence into the chain and scope the policy reads: a human's delegation token, or a
 * parent task's grant. Without either, the task is undelegated.
 */
public final class Delegations {
  private final Optional<DelegationTokenVerifier> humanTokens;
  private final ChildGrants grants;

  /** Accepts no delegation evidence: tokens and grants are refused. */
  public Delegations() {
    this(Optional.empty(), null);
  }

  /** Accepts human delegation tokens only. */
  public Delegations(Optional<DelegationTokenVerifier> humanTokens) {
    this(humanTokens, null);
  }

  /** Accepts agent → sub-agent grants only. */
  public Delegations(ChildGrants grants) {
    this(Optional.empty(), grants);
  }

  /**
   * @param humanTokens the verifier of human → agent delegation tokens; empty: no delegation issuer configured
   * @param grants redeems agent → sub-agent grants from {@code Delegate}; null refuses them
   */
  public Delegations(Optional<DelegationTokenVerifier> humanTokens, ChildGrants grants) {
    this.humanTokens = requireNonNull(humanTokens, "humanTokens");
    this.grants = grants;
  }

  /**
   * What a BeginTask's delegation evidence proved.
   *
   * @param view the chain and scope handed to the policy
   * @param parent for a child task: the open parent task whose token creates the child's
   * @param grantId for a child task: the redeemed grant's id
   */
  public record Resolved(DelegationView view, Optional<TaskRecord> parent, Optional<String> grantId) {
    public static final Resolved NONE = new Resolved(DelegationView.NONE, Optional.empty(), Optional.empty());

    public Resolved {
      requireNonNull(view, "view");
      requireNonNull(parent, "parent");
      requireNonNull(grantId, "grantId");
    }
  }

  /** Resolves {@code command}'s delegation evidence for {@code caller}; refusals are {@link TaskException}s. */
  public Resolved resolve(WorkloadIdentity caller, BeginTaskCommand command) {
    if (command.delegationToken().isPresent() && command.delegationGrant().isPresent()) {
      throw new TaskException(INVALID, "send at most one of delegation_token and delegation_grant");
    }
    if (command.delegationToken().isPresent()) {
      return human(caller, command, command.delegationToken().get());
    }
    if (command.delegationGrant().isPresent()) {
      return grant(caller, command.delegationGrant().get(), command);
    }
    return Resolved.NONE;
  }

  /**
   * Confines what the policy granted a child task to its parent (roles, Vault policies, purpose, TTL) before Vault is
   * asked; returns {@code grant} unchanged for a task without a parent. Refusals are audited and thrown.
   */
  public Grant confine(
      WorkloadIdentity caller, BeginTaskCommand command, Resolved delegated, Grant grant, PolicyEngine engine) {
    if (delegated.parent().isEmpty()) {
      return grant;
    }
    if (grants == null) { // unreachable: without ChildGrants no grant resolves to a parent
      throw new TaskException(INVALID, "delegation grants are not accepted by this server");
    }
    return grants.confine(caller, command, delegated, grant, engine);
  }

  /** The chain of an open task as the policy reads it at a later call (MintCredential, Delegate). */
  public DelegationView viewOf(TaskRecord task) {
    return task.delegation();
  }

  /**
   * A person's delegation token: verified for this caller, then the request checked against what was delegated. The
   * policy intersects its grant with the scope too; checking here first gives the caller a reason that names the
   * delegator, and keeps the scope enforced even if a policy forgot to.
   */
  private Resolved human(WorkloadIdentity caller, BeginTaskCommand command, Secret token) {
    if (humanTokens.isEmpty()) {
      throw new TaskException(INVALID, "delegation tokens are not accepted: no delegation issuer is configured");
    }
    DelegationResult.Accepted accepted =
        switch (humanTokens.get().verify(token.reveal(), caller.id())) {
          case DelegationResult.Refused refused -> throw new TaskException(
              refused.why() == DelegationResult.Why.FOREIGN_ACTOR ? DENIED : UNAUTHENTICATED, refused.reason());
          case DelegationResult.Accepted a -> a;
        };
    DelegationView.Scope scope = accepted.scope();
    String by = " by " + accepted.delegator();
    for (String role : command.roles()) {
      if (!scope.roles().contains(role)) {
        throw new TaskException(DENIED, "role '" + role + "' was not delegated" + by + " (delegated: "
            + scope.roles().stream().sorted().toList() + ")");
      }
    }
    if (!scope.allowsPurpose(command.purpose())) {
      throw new TaskException(DENIED, "purpose '" + command.purpose() + "' was not delegated" + by + " (delegated: "
          + scope.purposes() + ")");
    }
    Optional<Duration> maxTtl = scope.maxTtl();
    if (command.ttl().isPresent() && maxTtl.isPresent() && command.ttl().get().compareTo(maxTtl.get()) > 0) {
      throw new TaskException(DENIED, "ttl " + command.ttl().get() + " exceeds what was delegated" + by + " ("
          + maxTtl.get() + " left)");
    }
    DelegationView view =
        new DelegationView(List.of(DelegationView.Link.human(accepted.delegator())), Optional.of(scope));
    return new Resolved(view, Optional.empty(), Optional.empty());
  }

  private Resolved grant(WorkloadIdentity caller, Secret grant, BeginTaskCommand command) {
    if (grants == null) {
      throw new TaskException(INVALID, "delegation grants are not accepted by this server");
    }
    return grants.redeem(caller, grant, command);
  }

  /**
   * A whole chain ({@link DelegationView#through}) as audit records carry it: {@code {kind, subject[, task][, rule]}}
   * maps, first delegator first.
   */
  public static List<Map<String, String>> auditChain(List<DelegationView.Link> chain) {
    return chain.stream().map(Delegations::linkMap).toList();
  }

  private static Map<String, String> linkMap(DelegationView.Link link) {
    Map<String, String> map = new LinkedHashMap<>();
    map.put("kind", link.kind());
    map.put("subject", link.subject());
    if (!link.task().isEmpty()) {
      map.put("task", link.task());
    }
    if (!link.rule().isEmpty()) {
      map.put("rule", link.rule());
    }
    return map;
  }
}
