package dev.minter.ledger;

import static java.util.Objects.requireNonNull;

import dev.minter.policy.DelegationView;
import dev.minter.vault.Secret;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A task as the ledger keeps it. The task token is stored encrypted; here it is a {@link Secret}.
 *
 * @param taskId Minter's id for the task
 * @param agent the identity that began it (only it may mint for or complete it)
 * @param attestorKind how that identity was attested
 * @param purpose the declared purpose
 * @param roles the granted role names
 * @param rule the policy rule that allowed it
 * @param labels the caller's free labels
 * @param token the task's Vault token
 * @param tokenAccessor the task token's accessor
 * @param createdAt when it began
 * @param expiresAt when Vault ends it by itself
 * @param state where it is in its life
 * @param claims the verified claims of the identity that began it (never secrets), so operators can select tasks by
 *     attestation source (e.g. {@code aws.instance_id}); empty for tasks begun before claims were kept
 * @param parentTaskId for a child task (opened with a delegation grant): the task that delegated; empty otherwise
 * @param delegation who delegated to this task and what they handed on ({@link DelegationView#NONE} if nobody)
 */
public record TaskRecord(
    String taskId,
    String agent,
    String attestorKind,
    String purpose,
    List<String> roles,
    String rule,
    Map<String, String> labels,
    Secret token,
    String tokenAccessor,
    Instant createdAt,
    Instant expiresAt,
    TaskState state,
    Map<String, String> claims,
    String parentTaskId,
    DelegationView delegation) {
  public TaskRecord {
    requireNonNull(taskId, "taskId");
    requireNonNull(agent, "agent");
    requireNonNull(attestorKind, "attestorKind");
    requireNonNull(purpose, "purpose");
    roles = List.copyOf(requireNonNull(roles, "roles"));
    requireNonNull(rule, "rule");
    labels = Map.copyOf(requireNonNull(labels, "labels"));
    requireNonNull(token, "token");
    requireNonNull(tokenAccessor, "tokenAccessor");
    requireNonNull(createdAt, "createdAt");
    requireNonNull(expiresAt, "expiresAt");
    requireNonNull(state, "state");
    claims = Map.copyOf(requireNonNull(claims, "claims"));
    requireNonNull(parentTaskId, "parentTaskId");
    requireNonNull(delegation, "delegation");
  }

  /** An undelegated task. */
  public TaskRecord(
      String taskId,
      String agent,
      String attestorKind,
      String purpose,
      List<String> roles,
      String rule,
      Map<String, String> labels,
      Secret token,
      String tokenAccessor,
      Instant createdAt,
      Instant expiresAt,
      TaskState state,
      Map<String, String> claims) {
    this(taskId, agent, attestorKind, purpose, roles, rule, labels, token, tokenAccessor, createdAt, expiresAt, state,
        claims, "", DelegationView.NONE);
  }

  /** The task's whole delegation chain, ending with its own agent (just that link for an undelegated task). */
  public List<DelegationView.Link> chain() {
    return delegation.through(agent, taskId, rule);
  }

  /** Whether this is a child task, opened with a delegation grant from {@link #parentTaskId()}. */
  public boolean isChild() {
    return !parentTaskId.isEmpty();
  }

  /** A task without recorded claims (the shape before the ledger kept them). */
  public TaskRecord(
      String taskId,
      String agent,
      String attestorKind,
      String purpose,
      List<String> roles,
      String rule,
      Map<String, String> labels,
      Secret token,
      String tokenAccessor,
      Instant createdAt,
      Instant expiresAt,
      TaskState state) {
    this(taskId, agent, attestorKind, purpose, roles, rule, labels, token, tokenAccessor, createdAt, expiresAt, state,
        Map.of());
  }
}
