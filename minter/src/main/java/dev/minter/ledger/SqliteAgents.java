package dev.minter.ledger;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The agent inventory writes and lookups of {@link SqliteLedger} ({@link Agents}' per-agent methods): argument checks,
 * then one {@link AgentRows} call under the ledger's {@link LedgerLock}, which is all it holds. Holding the lock for the
 * whole call is what makes {@link AgentRows}' read-modify-write updates safe.
 */
final class SqliteAgents {
  private final LedgerLock lock;

  SqliteAgents(LedgerLock lock) {
    this.lock = requireNonNull(lock, "lock");
  }

  void recordSeen(String identity, String attestor, Instant at) {
    requireNonNull(identity, "identity");
    requireNonNull(attestor, "attestor");
    requireNonNull(at, "at");
    lock.locked("recordSeen", "agent " + identity, c -> {
      AgentRows.recordSeen(c, identity, attestor, at);
      return null;
    });
  }

  void recordUse(String identity, String role, String purpose, Instant at) {
    requireNonNull(identity, "identity");
    requireNonNull(role, "role");
    requireNonNull(purpose, "purpose");
    requireNonNull(at, "at");
    lock.locked("recordUse", "agent " + identity, c -> {
      AgentRows.recordUse(c, identity, role, purpose, at);
      return null;
    });
  }

  AgentRecord register(String identity, String owner, String description, Instant at) {
    requireNonNull(identity, "identity");
    requireNonNull(at, "at");
    return lock.locked("register", "agent " + identity, c -> AgentRows.register(c, identity, owner, description, at));
  }

  Optional<AgentRecord> setState(String identity, AgentState state, String reason, Instant at) {
    requireNonNull(identity, "identity");
    requireNonNull(state, "state");
    requireNonNull(at, "at");
    return lock.locked("setState", "agent " + identity, c -> AgentRows.setState(c, identity, state, reason, at));
  }

  Optional<AgentRecord> findAgent(String identity) {
    requireNonNull(identity, "identity");
    return lock.locked("findAgent", "agent " + identity, c -> AgentRows.find(c, identity));
  }

  List<AgentRecord> listAgents(AgentFilter filter) {
    requireNonNull(filter, "filter");
    return lock.locked("listAgents", "agents", c -> AgentRows.list(c, filter));
  }
}
