package dev.minter.ledger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The {@code agents} table's SQL, run on the caller's (locked) connection. Sets and the role map are JSON text;
 * updates are read-modify-write, which is safe because {@link SqliteLedger} holds its one lock for the whole call.
 */
final class AgentRows {
  static final String COLUMNS =
      "identity, owner, description, state, first_seen, last_seen, attestors, roles_used, purposes,"
          + " state_reason, state_changed_at";

  /** Purposes are free text an agent chooses: keep only so many, so one chatty agent cannot grow its row forever. */
  static final int MAX_PURPOSES = 100;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<TreeSet<String>> SET = new TypeReference<>() {};
  private static final TypeReference<TreeMap<String, Long>> ROLE_TIMES = new TypeReference<>() {};

  private AgentRows() {}

  static void recordSeen(Connection c, String identity, String attestor, Instant at) throws SQLException {
    AgentRecord agent = find(c, identity).orElseGet(() -> fresh(identity, at));
    Set<String> attestors = new TreeSet<>(agent.attestors());
    attestors.add(attestor);
    Instant first = agent.firstSeen() == null ? at : agent.firstSeen();
    Instant last = agent.lastSeen() == null || at.isAfter(agent.lastSeen()) ? at : agent.lastSeen();
    write(c, copy(agent, first, last, attestors, agent.rolesUsed(), agent.purposes()), agentExists(c, identity));
  }

  static void recordUse(Connection c, String identity, String role, String purpose, Instant at)
      throws SQLException {
    AgentRecord agent = find(c, identity).orElseGet(() -> fresh(identity, at));
    Map<String, Instant> roles = new TreeMap<>(agent.rolesUsed());
    roles.merge(role, at, (old, now) -> now.isAfter(old) ? now : old);
    Set<String> purposes = new TreeSet<>(agent.purposes());
    if (purposes.size() < MAX_PURPOSES) {
      purposes.add(purpose);
    }
    write(c, copy(agent, agent.firstSeen(), agent.lastSeen(), agent.attestors(), roles, purposes), agentExists(c, identity));
  }

  static AgentRecord register(Connection c, String identity, String owner, String description, Instant at)
      throws SQLException {
    Optional<AgentRecord> existing = find(c, identity);
    AgentRecord agent = existing.orElseGet(() -> fresh(identity, null));
    AgentRecord updated = new AgentRecord(identity, owner, description, agent.state(), agent.firstSeen(),
        agent.lastSeen(), agent.attestors(), agent.rolesUsed(), agent.purposes(), agent.stateReason(),
        agent.stateChangedAt());
    write(c, updated, existing.isPresent());
    return updated;
  }

  static Optional<AgentRecord> setState(Connection c, String identity, AgentState state, String reason, Instant at)
      throws SQLException {
    try (PreparedStatement update = c.prepareStatement(
        "UPDATE agents SET state = ?, state_reason = ?, state_changed_at = ? WHERE identity = ?")) {
      update.setString(1, state.name());
      update.setString(2, reason == null ? "" : reason);
      update.setLong(3, at.toEpochMilli());
      update.setString(4, identity);
      if (update.executeUpdate() == 0) {
        return Optional.empty();
      }
    }
    return find(c, identity);
  }

  static Optional<AgentRecord> find(Connection c, String identity) throws SQLException {
    try (PreparedStatement select = c.prepareStatement("SELECT " + COLUMNS + " FROM agents WHERE identity = ?")) {
      select.setString(1, identity);
      try (ResultSet row = select.executeQuery()) {
        return row.next() ? Optional.of(agent(row)) : Optional.empty();
      }
    }
  }

  static List<AgentRecord> list(Connection c, AgentFilter filter) throws SQLException {
    StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM agents WHERE 1 = 1");
    List<String> args = new ArrayList<>();
    if (filter.owner().isPresent()) {
      sql.append(" AND owner = ?");
      args.add(filter.owner().get());
    }
    if (filter.state().isPresent()) {
      sql.append(" AND state = ?");
      args.add(filter.state().get().name());
    }
    if (filter.withoutOwner()) {
      sql.append(" AND owner = ''");
    }
    sql.append(" ORDER BY identity");
    try (PreparedStatement select = c.prepareStatement(sql.toString())) {
      for (int i = 0; i < args.size(); i++) {
        select.setString(i + 1, args.get(i));
      }
      List<AgentRecord> found = new ArrayList<>();
      try (ResultSet row = select.executeQuery()) {
        while (row.next()) {
          found.add(agent(row));
        }
      }
      return List.copyOf(found);
    }
  }

  private static boolean agentExists(Connection c, String identity) throws SQLException {
    try (PreparedStatement select = c.prepareStatement("SELECT 1 FROM agents WHERE identity = ?")) {
      select.setString(1, identity);
      try (ResultSet row = select.executeQuery()) {
        return row.next();
      }
    }
  }

  private static AgentRecord fresh(String identity, Instant seen) {
    return new AgentRecord(identity, "", "", AgentState.ACTIVE, seen, seen, Set.of(), Map.of(), Set.of(), "", null);
  }

  private static AgentRecord copy(AgentRecord a, Instant first, Instant last, Set<String> attestors,
      Map<String, Instant> roles, Set<String> purposes) {
    return new AgentRecord(a.identity(), a.owner(), a.description(), a.state(), first, last, attestors, roles,
        purposes, a.stateReason(), a.stateChangedAt());
  }

  private static void write(Connection c, AgentRecord a, boolean exists) throws SQLException {
    String sql = exists
        ? "UPDATE agents SET owner = ?, description = ?, state = ?, first_seen = ?, last_seen = ?, attestors = ?,"
            + " roles_used = ?, purposes = ?, state_reason = ?, state_changed_at = ? WHERE identity = ?"
        : "INSERT INTO agents (owner, description, state, first_seen, last_seen, attestors, roles_used, purposes,"
            + " state_reason, state_changed_at, identity) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    try (PreparedStatement statement = c.prepareStatement(sql)) {
      statement.setString(1, a.owner());
      statement.setString(2, a.description());
      statement.setString(3, a.state().name());
      setInstant(statement, 4, a.firstSeen());
      setInstant(statement, 5, a.lastSeen());
      statement.setString(6, json(new TreeSet<>(a.attestors())));
      Map<String, Long> roles = new TreeMap<>();
      a.rolesUsed().forEach((role, at) -> roles.put(role, at.toEpochMilli()));
      statement.setString(7, json(roles));
      statement.setString(8, json(new TreeSet<>(a.purposes())));
      statement.setString(9, a.stateReason());
      setInstant(statement, 10, a.stateChangedAt());
      statement.setString(11, a.identity());
      statement.executeUpdate();
    }
  }

  private static AgentRecord agent(ResultSet row) throws SQLException {
    Map<String, Instant> roles = new TreeMap<>();
    parse(row.getString("roles_used"), ROLE_TIMES).forEach((role, ms) -> roles.put(role, Instant.ofEpochMilli(ms)));
    return new AgentRecord(
        row.getString("identity"),
        row.getString("owner"),
        row.getString("description"),
        AgentState.valueOf(row.getString("state")),
        instant(row, "first_seen"),
        instant(row, "last_seen"),
        parse(row.getString("attestors"), SET),
        roles,
        parse(row.getString("purposes"), SET),
        row.getString("state_reason"),
        instant(row, "state_changed_at"));
  }

  private static void setInstant(PreparedStatement statement, int index, Instant at) throws SQLException {
    if (at == null) {
      statement.setNull(index, Types.BIGINT);
    } else {
      statement.setLong(index, at.toEpochMilli());
    }
  }

  private static Instant instant(ResultSet row, String column) throws SQLException {
    long ms = row.getLong(column);
    return row.wasNull() ? null : Instant.ofEpochMilli(ms);
  }

  private static String json(Object value) throws SQLException {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new SQLException("agents: cannot encode " + value.getClass().getSimpleName(), e);
    }
  }

  private static <T> T parse(String text, TypeReference<T> type) throws SQLException {
    try {
      return JSON.readValue(text, type);
    } catch (JsonProcessingException e) {
      throw new SQLException("agents: unreadable JSON column: " + e.getOriginalMessage(), e);
    }
  }
}
