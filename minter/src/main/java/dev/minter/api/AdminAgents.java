package dev.minter.api;

import dev.minter.attest.WorkloadIdentity;
import dev.minter.ledger.AgentFilter;
import dev.minter.ledger.AgentRecord;
import dev.minter.ledger.Agents;
import dev.minter.policy.Glob;
import dev.minter.policy.Policy;
import dev.minter.policy.PolicyEngine;
import dev.minter.policy.RoleSpec;
import dev.minter.policy.Rule;
import dev.minter.proto.v1.AgentInfo;
import dev.minter.proto.v1.AgentReportRequest;
import dev.minter.proto.v1.AgentReportResponse;
import dev.minter.proto.v1.AgentState;
import dev.minter.proto.v1.ListAgentsRequest;
import dev.minter.proto.v1.ListAgentsResponse;
import dev.minter.proto.v1.OverGrant;
import dev.minter.proto.v1.RegisterAgentRequest;
import dev.minter.proto.v1.SetAgentStateRequest;
import dev.minter.proto.v1.SetAgentStateResponse;
import dev.minter.task.AgentLifecycle;
import dev.minter.task.Receipt;
import dev.minter.task.TaskException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The agents region of the admin API: inventory queries joined with what the current policy grants each agent,
 * and lifecycle changes through {@link AgentLifecycle}. Admission is done by {@link AdminService} before these run.
 */
public final class AdminAgents {
  static final Duration DEFAULT_UNUSED_FOR = Duration.ofDays(30);
  /** At most this many delegators are listed per agent (most recent first). */
  static final int MAX_DELEGATORS = 100;

  private final Agents agents;
  private final AgentLifecycle lifecycle;
  private final Supplier<PolicyEngine> policy;
  private final Clock clock;

  public AdminAgents(Agents agents, AgentLifecycle lifecycle, Supplier<PolicyEngine> policy, Clock clock) {
    this.agents = agents;
    this.lifecycle = lifecycle;
    this.policy = policy;
    this.clock = clock;
  }

  ListAgentsResponse list(ListAgentsRequest request) {
    Optional<Glob> identity =
        request.getIdentity().isEmpty() ? Optional.empty() : Optional.of(Glob.compile(request.getIdentity()));
    AgentFilter filter =
        new AgentFilter(Optional.of(request.getOwner()), fromProto(request.getState()), request.getWithoutOwner());
    PolicyEngine engine = policy.get();
    ListAgentsResponse.Builder response = ListAgentsResponse.newBuilder();
    for (AgentRecord agent : agents.listAgents(filter)) {
      if (identity.isEmpty() || identity.get().matches(agent.identity())) {
        response.addAgents(info(agent, engine));
      }
    }
    return response.build();
  }

  AgentInfo get(String identity) {
    return info(find(identity), policy.get());
  }

  AgentInfo register(WorkloadIdentity operator, RegisterAgentRequest request) {
    return info(
        lifecycle.register(operator, request.getIdentity(), request.getOwner(), request.getDescription()),
        policy.get());
  }

  SetAgentStateResponse setState(WorkloadIdentity operator, SetAgentStateRequest request) {
    dev.minter.ledger.AgentState state =
        fromProto(request.getState())
            .orElseThrow(() -> new IllegalArgumentException("state: unspecified (expected: ACTIVE, SUSPENDED or RETIRED)"));
    AgentLifecycle.Change change = lifecycle.setState(operator, request.getIdentity(), state, request.getReason());
    SetAgentStateResponse.Builder response = SetAgentStateResponse.newBuilder().setAgent(info(change.agent(), policy.get()));
    for (Receipt receipt : change.receipts()) {
      response.addReceipts(ProtoMapper.toProto(receipt));
    }
    return response.build();
  }

  /**
   * Agents nobody owns, and over-grants: roles the policy grants an agent that it has not used within {@code
   * unused_for} (default 30 days). Retired agents are left out of both: nothing is granted to them any more.
   */
  AgentReportResponse report(AgentReportRequest request) {
    Duration unusedFor = request.hasUnusedFor() ? ProtoMapper.toDuration(request.getUnusedFor()) : DEFAULT_UNUSED_FOR;
    Instant since = clock.instant().minus(unusedFor);
    PolicyEngine engine = policy.get();
    AgentReportResponse.Builder response = AgentReportResponse.newBuilder();
    for (AgentRecord agent : agents.listAgents(AgentFilter.ALL)) {
      if (agent.state() == dev.minter.ledger.AgentState.RETIRED) {
        continue;
      }
      if (!agent.hasOwner()) {
        response.addWithoutOwner(info(agent, engine));
      }
      Set<String> granted = grantedRoles(engine, agent.identity());
      List<String> used = new ArrayList<>();
      List<String> unused = new ArrayList<>();
      for (String role : granted) {
        Instant last = agent.rolesUsed().get(role);
        (last != null && !last.isBefore(since) ? used : unused).add(role);
      }
      if (!unused.isEmpty()) {
        response.addOverGranted(
            OverGrant.newBuilder().setIdentity(agent.identity()).addAllGranted(granted).addAllUsed(used).addAllUnused(unused));
      }
    }
    return response.build();
  }

  private AgentRecord find(String identity) {
    return agents.findAgent(identity)
        .orElseThrow(() -> new TaskException(TaskException.Kind.NOT_FOUND, "agent " + identity + " not found"));
  }

  private AgentInfo info(AgentRecord agent, PolicyEngine engine) {
    AgentInfo.Builder b =
        AgentInfo.newBuilder()
            .setIdentity(agent.identity())
            .setOwner(agent.owner())
            .setDescription(agent.description())
            .setState(toProto(agent.state()))
            .addAllAttestors(agent.attestors())
            .addAllRolesUsed(agent.rolesUsed().keySet())
            .addAllPurposes(agent.purposes())
            .addAllDelegators(agents.delegatorsOf(agent.identity(), MAX_DELEGATORS))
            .setLiveTasks(agents.openTasksOf(agent.identity()).size());
    if (agent.firstSeen() != null) {
      b.setFirstSeen(ProtoMapper.toTimestamp(agent.firstSeen()));
    }
    if (agent.lastSeen() != null) {
      b.setLastSeen(ProtoMapper.toTimestamp(agent.lastSeen()));
    }
    Set<String> granted = grantedRoles(engine, agent.identity());
    b.addAllRolesGranted(granted);
    for (String role : granted) {
      engine.role(role).map(AdminAgents::dataSource).ifPresent(b::addDataSources);
    }
    return b.build();
  }

  /** The roles of every rule whose identity globs match, in policy order (empty for an engine that is not a Policy). */
  static Set<String> grantedRoles(PolicyEngine engine, String identity) {
    Set<String> roles = new LinkedHashSet<>();
    if (engine instanceof Policy p) {
      for (Rule rule : p.rules()) {
        if (rule.appliesTo(identity)) {
          roles.addAll(rule.roles());
        }
      }
    }
    return roles;
  }

  /** What a role reaches: its Vault path, or for path-less kinds (vault-token) the policies its tokens carry. */
  private static String dataSource(RoleSpec role) {
    return role.path().isEmpty() ? role.kind() + ":" + String.join(",", role.tokenPolicies()) : role.path();
  }

  private static AgentState toProto(dev.minter.ledger.AgentState state) {
    return switch (state) {
      case ACTIVE -> AgentState.AGENT_STATE_ACTIVE;
      case SUSPENDED -> AgentState.AGENT_STATE_SUSPENDED;
      case RETIRED -> AgentState.AGENT_STATE_RETIRED;
    };
  }

  private static Optional<dev.minter.ledger.AgentState> fromProto(AgentState state) {
    return switch (state) {
      case AGENT_STATE_ACTIVE -> Optional.of(dev.minter.ledger.AgentState.ACTIVE);
      case AGENT_STATE_SUSPENDED -> Optional.of(dev.minter.ledger.AgentState.SUSPENDED);
      case AGENT_STATE_RETIRED -> Optional.of(dev.minter.ledger.AgentState.RETIRED);
      default -> Optional.empty();
    };
  }
}
