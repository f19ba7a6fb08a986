package dev.minter.ledger;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The agent inventory: every identity that ever attested to Minter, its owner and lifecycle state, and what it
 * used. Every method is durable on return; failures throw {@link LedgerException}.
 */
public interface Agents {

  /** Records that {@code identity} attested with {@code attestor} at {@code at}; creates the agent if new. */
  void recordSeen(String identity, String attestor, Instant at);

  /** Records that {@code identity} used {@code role} for {@code purpose} at {@code at}; creates the agent if new. */
  void recordUse(String identity, String role, String purpose, Instant at);

  /** Sets owner and description, creating the agent (ACTIVE, never seen) if it is unknown. */
  AgentRecord register(String identity, String owner, String description, Instant at);

  /** Sets the state of an existing agent; empty if there is no such agent. */
  Optional<AgentRecord> setState(String identity, AgentState state, String reason, Instant at);

  Optional<AgentRecord> findAgent(String identity);

  /** Agents matching {@code filter}, ordered by identity. */
  List<AgentRecord> listAgents(AgentFilter filter);

  /** The open tasks {@code identity} began, oldest first. */
  List<TaskRecord> openTasksOf(String identity);

  /**
   * Who delegated to {@code identity}: the distinct subjects (humans' {@code sub}, agents' identity URIs) in the
   * delegation chains of its tasks, most recently seen first, at most {@code limit}.
   */
  List<String> delegatorsOf(String identity, int limit);
}
