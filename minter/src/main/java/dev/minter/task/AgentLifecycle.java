package dev.minter.task;

import static dev.minter.task.TaskException.Kind.INVALID;
import static dev.minter.task.TaskException.Kind.NOT_FOUND;

import dev.minter.attest.WorkloadIdentity;
import dev.minter.audit.AuditEvent;
import dev.minter.audit.AuditLog;
import dev.minter.ledger.AgentFilter;
import dev.minter.ledger.AgentRecord;
import dev.minter.ledger.AgentState;
import dev.minter.ledger.Agents;
import dev.minter.ledger.TaskRecord;
import dev.minter.ledger.TaskState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Operators' changes to agents: register (owner, description), suspend, retire, reinstate; and the maintenance
 * loop's suspension of idle agents. Every change is audited as {@code agent.<verb>} with the reason.
 *
 * <p>Retiring first makes the agent RETIRED (so nothing new starts), then revokes each of its open tasks. The
 * order matters: {@link TaskService} re-checks the state after writing a new task, so a task begun concurrently
 * is either swept here or revoked by its own begin.
 */
public final class AgentLifecycle {
  private static final Logger log = LoggerFactory.getLogger(AgentLifecycle.class);

  private final Agents agents;
  private final TaskRevoker revoker;
  private final AuditLog audit;
  private final Clock clock;

  public AgentLifecycle(Agents agents, TaskRevoker revoker, AuditLog audit, Clock clock) {
    this.agents = agents;
    this.revoker = revoker;
    this.audit = audit;
    this.clock = clock;
  }

  /** The agent after a state change, and for a retirement the receipts of the tasks it revoked. */
  public record Change(AgentRecord agent, List<Receipt> receipts) {
    public Change {
      receipts = List.copyOf(receipts);
    }
  }

  /** Sets owner and description, creating the agent if Minter has never seen it. */
  public AgentRecord register(WorkloadIdentity operator, String identity, String owner, String description) {
    checkIdentity(identity);
    if (owner == null || owner.isBlank()) {
      throw new TaskException(INVALID, "owner: empty (expected: who answers for the agent)");
    }
    AgentRecord agent = agents.register(identity, owner, description, clock.instant());
    audit.append(change("agent.register", operator.id(), operator.attestorKind(), identity)
        .put("owner", owner).build());
    return agent;
  }

  /** Moves {@code identity} to {@code state}; retiring also revokes every open task of the agent. */
  public Change setState(WorkloadIdentity operator, String identity, AgentState state, String reason) {
    checkIdentity(identity);
    return apply(operator.id(), operator.attestorKind(), identity, state, reason);
  }

  /** Suspends every ACTIVE agent not seen for {@code idleFor}. Returns how many it suspended. */
  public int suspendIdle(Duration idleFor) {
    Instant cutoff = clock.instant().minus(idleFor);
    int n = 0;
    for (AgentRecord agent : agents.listAgents(new AgentFilter(Optional.empty(), Optional.of(AgentState.ACTIVE), false))) {
      // A registered agent that never attested is left alone: it has not had a chance to be idle.
      if (agent.lastSeen() != null && agent.lastSeen().isBefore(cutoff)) {
        apply(TaskRevoker.MINTER, null, agent.identity(), AgentState.SUSPENDED,
            "idle since " + agent.lastSeen() + " (auto_suspend_after " + idleFor + ")");
        n++;
      }
    }
    return n;
  }

  private Change apply(String by, String attestor, String identity, AgentState state, String reason) {
    String why = reason == null || reason.isBlank() ? null : reason;
    AgentRecord agent =
        agents
            .setState(identity, state, why, clock.instant())
            .orElseThrow(() -> new TaskException(NOT_FOUND, "agent " + identity + " not found"));
    audit.append(change(verb(state), by, attestor, identity).reason(why).build());
    List<Receipt> receipts = new ArrayList<>();
    if (state == AgentState.RETIRED) {
      for (TaskRecord task : agents.openTasksOf(identity)) {
        try {
          receipts.add(revoker.end(task, TaskState.REVOKED, by, "agent retired" + (why == null ? "" : ": " + why)));
        } catch (TaskException e) {
          log.debug("task {} of retired agent {} ended concurrently: {}", task.taskId(), identity, e.getMessage());
        }
      }
    }
    log.info("agent {} is now {} (by {}, {} task(s) revoked)", identity, state, by, receipts.size());
    return new Change(agent, receipts);
  }

  private static AuditEvent.Builder change(String event, String by, String attestor, String identity) {
    return AuditEvent.of(event)
        .identity(by)
        .attestor(attestor)
        .decision("allow")
        .put("agent", identity)
        .requestId(RequestIds.current());
  }

  /** Identity URIs as the attestors produce them: non-blank, printable, a scheme, at most a SPIFFE ID's 2048. */
  static void checkIdentity(String identity) {
    if (identity == null || identity.isBlank() || !identity.contains("://") || identity.length() > 2048
        || identity.chars().anyMatch(Character::isISOControl)) {
      throw new TaskException(INVALID, "identity: '" + (identity == null ? "" : identity.length() > 80
          ? identity.substring(0, 80) + "..." : identity) + "' (expected: an identity URI, e.g. spiffe://domain/path)");
    }
  }

  private static String verb(AgentState state) {
    return switch (state) {
      case ACTIVE -> "agent.reinstate";
      case SUSPENDED -> "agent.suspend";
      case RETIRED -> "agent.retire";
    };
  }
}
