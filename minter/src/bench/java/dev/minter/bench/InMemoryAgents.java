package dev.minter.bench;

import dev.minter.ledger.AgentFilter;
import dev.minter.ledger.AgentRecord;
import dev.minter.ledger.AgentState;
import dev.minter.ledger.Agents;
import dev.minter.ledger.TaskRecord;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The agent inventory as {@link dev.minter.anomaly.AnomalyDetector} reads it (only {@link #findAgent}), in memory:
 * the benchmark measures the detector, not SQLite. Everything else is refused.
 */
final class InMemoryAgents implements Agents {
  private final Map<String, AgentRecord> records = new ConcurrentHashMap<>();

  /** An established agent: first seen at {@code firstSeen}, having used {@code roles} for {@code purposes}. */
  InMemoryAgents agent(String identity, Instant firstSeen, Set<String> roles, Set<String> purposes) {
    Map<String, Instant> used = roles.stream().collect(Collectors.toMap(Function.identity(), r -> firstSeen));
    records.put(identity, new AgentRecord(identity, "team", "", AgentState.ACTIVE, firstSeen, firstSeen,
        Set.of("x509_svid"), used, purposes, "", null));
    return this;
  }

  @Override
  public Optional<AgentRecord> findAgent(String identity) {
    return Optional.ofNullable(records.get(identity));
  }

  @Override
  public void recordSeen(String identity, String attestor, Instant at) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void recordUse(String identity, String role, String purpose, Instant at) {
    throw new UnsupportedOperationException();
  }

  @Override
  public AgentRecord register(String identity, String owner, String description, Instant at) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Optional<AgentRecord> setState(String identity, AgentState state, String reason, Instant at) {
    throw new UnsupportedOperationException();
  }

  @Override
  public List<AgentRecord> listAgents(AgentFilter filter) {
    throw new UnsupportedOperationException();
  }

  @Override
  public List<TaskRecord> openTasksOf(String identity) {
    throw new UnsupportedOperationException();
  }

  @Override
  public List<String> delegatorsOf(String identity, int limit) {
    throw new UnsupportedOperationException();
  }
}
