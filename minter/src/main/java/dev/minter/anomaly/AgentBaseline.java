package dev.minter.anomaly;

import dev.minter.ledger.AgentRecord;
import dev.minter.policy.AnomalySettings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Everything the detector knows about one agent. Roles and purposes seen are seeded from the agent inventory, which
 * survives restarts; rate, hours and fan-out live in memory only and warm up again after a restart. Not thread-safe
 * (the detector serializes access).
 */
final class AgentBaseline {
  private final String identity;
  private final Instant firstSeen;
  private final Set<String> roles;
  private final Set<String> purposes;
  private long events; // allowed calls watched, for the learning period
  private final boolean established; // the inventory shows earlier use: the call-count part of learning is done
  final MintRate rate = new MintRate();
  final HourHistogram hours = new HourHistogram();
  final FanOut fanOut = new FanOut();

  private AgentBaseline(
      String identity, Instant firstSeen, Set<String> roles, Set<String> purposes, boolean established) {
    this.identity = identity;
    this.firstSeen = firstSeen;
    this.roles = new HashSet<>(roles);
    this.purposes = new HashSet<>(purposes);
    this.established = established;
  }

  /**
   * From the inventory's record, so a restart does not relearn what the agent used. The inventory keeps no call
   * count: an agent with any recorded use has done the call-count part of its learning; the time part (first seen
   * at least the learning period ago) still applies.
   */
  static AgentBaseline seeded(String identity, Optional<AgentRecord> record, Instant now) {
    return record
        .map(r -> new AgentBaseline(
            identity,
            r.firstSeen() == null ? now : r.firstSeen(),
            r.rolesUsed().keySet(),
            r.purposes(),
            !r.rolesUsed().isEmpty()))
        .orElseGet(() -> new AgentBaseline(identity, now, Set.of(), Set.of(), false));
  }

  List<Anomaly> check(Activity a, Instant now, AnomalySettings s) {
    List<Anomaly> found = new ArrayList<>();
    newValues(AnomalySettings.NEW_ROLE, "role", roles, a.roles(), now, s.newRole()).ifPresent(found::add);
    newValues(AnomalySettings.NEW_PURPOSE, "purpose", purposes, List.of(a.purpose()), now, s.newPurpose())
        .ifPresent(found::add);
    if (a.mint()) {
      rate.check(identity, now, s.mintRate()).ifPresent(found::add);
    }
    hours.check(identity, now, s.unusualHour()).ifPresent(found::add);
    return found;
  }

  void learn(Activity a, Instant now, AnomalySettings s) {
    roles.addAll(a.roles());
    purposes.add(a.purpose());
    events++;
    if (a.mint()) {
      rate.learn(now, s.mintRate());
    }
    hours.learn(now, s.unusualHour());
  }

  void raised(Anomaly anomaly, Instant now) {
    switch (anomaly.kind()) {
      case AnomalySettings.MINT_RATE -> rate.raised(now);
      case AnomalySettings.UNUSUAL_HOUR -> hours.raised(now);
      default -> {} // new roles/purposes stop being new once learned; fan-out quiets itself per task
    }
  }

  private Optional<Anomaly> newValues(
      String kind, String noun, Set<String> seen, List<String> asked, Instant now, AnomalySettings.Learning s) {
    if (now.isBefore(firstSeen.plus(s.period())) || (!established && events < s.minEvents())) {
      return Optional.empty(); // still learning what is normal for this agent
    }
    List<String> unseen = asked.stream().filter(v -> !seen.contains(v)).distinct().toList();
    if (unseen.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new Anomaly(
            kind,
            identity,
            noun + "s used since " + firstSeen + ": " + listed(seen)
                + " (learning ended after " + s.period() + " and " + s.minEvents() + " calls)",
            "first use of " + noun + (unseen.size() == 1 ? " '" + unseen.get(0) + "'" : "s " + unseen)));
  }

  /** At most ten, sorted: an audit record names the baseline, it need not dump it. */
  private static String listed(Set<String> seen) {
    if (seen.isEmpty()) {
      return "none";
    }
    List<String> sorted = List.copyOf(new TreeSet<>(seen));
    return sorted.size() <= 10
        ? sorted.toString()
        : sorted.subList(0, 10).toString().replace("]", ", … " + (sorted.size() - 10) + " more]");
  }
}
