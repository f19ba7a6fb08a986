package dev.minter.task;

import dev.minter.attest.WorkloadIdentity;
import dev.minter.ledger.AgentRecord;
import dev.minter.ledger.Agents;
import dev.minter.policy.AgentView;
import dev.minter.policy.DelegationView;
import dev.minter.policy.PolicyContext;
import dev.minter.posture.PostureSource;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * Gathers what the policy reads besides the request (time, agent record, delegation, posture), so the engine can
 * stay pure. One place, so BeginTask, MintCredential and Delegate give the policy the same view of the world.
 */
public final class PolicyContexts {
  private final Agents agents;
  private final PostureSource posture;
  private final Clock clock;

  public PolicyContexts(Agents agents, PostureSource posture, Clock clock) {
    this.agents = agents;
    this.posture = posture;
    this.clock = clock;
  }

  /** The context of a call by {@code caller} on a task labelled {@code labels}, delegated as {@code delegation}. */
  public PolicyContext of(WorkloadIdentity caller, Map<String, String> labels, DelegationView delegation) {
    return new PolicyContext(clock.instant(), labels, agent(caller), delegation, posture.signals(caller));
  }

  private AgentView agent(WorkloadIdentity caller) {
    return agents.findAgent(caller.id()).map(PolicyContexts::view).orElse(AgentView.UNKNOWN);
  }

  private static AgentView view(AgentRecord agent) {
    return new AgentView(
        agent.owner(),
        agent.state().name().toLowerCase(),
        Optional.ofNullable(agent.firstSeen()),
        Optional.ofNullable(agent.lastSeen()));
  }
}
