package dev.minter.task;

import static dev.minter.task.TaskException.Kind.DENIED;
import dev.minter.attest.WorkloadIdentity;
import dev.minter.audit.AuditLog;
import dev.minter.ledger.AgentFilter;
import dev.minter.ledger.AgentRecord;
import dev.minter.ledger.AgentState;
import dev.minter.ledger.Agents;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;


/**
 * Keeps the agent inventory current from the task calls and enforces agent state. Every verified caller of a task
 * RPC is recorded (first/last seen, attestor kind); roles and purposes are recorded when a task begins or mints.
 *
 * <p>Why the state check is here and not in the policy: suspending or retiring an agent is an operator's decision
 * about one identity that must hold whatever the policy file says, and must not need a policy reload.
 */
public final class Inventory {
  /** The rule named in the audit record of a refusal because of the agent's state. */
  public static final String RULE = "agent-state";

  private final Agents agents;
  private final AuditLog audit;
  private final Clock clock;

  public Inventory(Agents agents, AuditLog audit, Clock clock) {
    this.agents = agents;
    this.audit = audit;
    this.clock = clock;
  }

  /** Records that {@code caller} attested now. */
  public void seen(WorkloadIdentity caller) {
    agents.recordSeen(caller.id(), caller.attestorKind(), clock.instant());
  }

  /** Records that {@code caller} used {@code roles} for {@code purpose} now. */
  public void used(WorkloadIdentity caller, List<String> roles, String purpose) {
    for (String role : roles) {
      agents.recordUse(caller.id(), role, purpose, clock.instant());
    }
  }

  /**
   * Refuses a caller that is not ACTIVE, auditing the refusal as {@code policy.deny} with rule {@value #RULE}.
   *
   * @param event what the caller asked for, e.g. {@code task.begin}; recorded with the refusal
   */
  public void requireActive(WorkloadIdentity caller, String event, String taskId, String purpose, String role) {
    Optional<AgentState> state = agents.findAgent(caller.id()).map(AgentRecord::state);
    if (state.isEmpty() || state.get() == AgentState.ACTIVE) {
      return;
    }
    String reason = "agent " + caller.id() + " is " + state.get().name().toLowerCase();
    audit.append(
        TaskAudit.base("policy.deny", caller)
            .task(taskId)
            .purpose(purpose)
            .role(role)
            .rule(RULE)
            .decision("deny")
            .reason(reason)
            .put("request", event)
            .build());
    throw new TaskException(DENIED, reason);
  }

  /** The identities registered with {@code owner} (for selecting "everything of one owner"). */
  public Set<String> ownedBy(String owner) {
    Set<String> identities = new HashSet<>();
    for (AgentRecord agent : agents.listAgents(new AgentFilter(Optional.of(owner), Optional.empty(), false))) {
      identities.add(agent.identity());
    }
    return Set.copyOf(identities);
  }

  /** Whether {@code caller} has a registered owner. */
  public boolean hasOwner(WorkloadIdentity caller) {
    return agents.findAgent(caller.id()).map(a -> a.owner() != null && !a.owner().isBlank()).orElse(false);
  }
}
