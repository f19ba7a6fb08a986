package dev.minter.policy;

import static java.util.Objects.requireNonNull;

import dev.minter.attest.WorkloadIdentity;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The policy file's {@code quotas} section: which limits apply to which agents and owners.
 *
 * <pre>{@code
 * quotas:
 *   - {agents: ["spiffe://corp.example/agents/*"], max_concurrent_tasks: 5, max_mints_per_minute: 30, max_ttl: 1h}
 *   - {owners: ["team-data@corp.example"], max_concurrent_tasks: 20, max_mints_per_minute: 100}
 * }</pre>
 *
 * <p>An entry names exactly one of {@code agents} (globs over the identity; counted per agent) or {@code owners}
 * (globs over the registered owner; counted over all agents of that one owner). Every matching entry applies and
 * the tightest value of each limit wins, so adding an entry can only narrow what an agent may do, never widen it.
 */
final class QuotaRules {
  static final QuotaRules NONE = new QuotaRules(List.of());

  static final int MAX_COUNT = 1_000_000;
  static final int MAX_DEPTH = 64;

  private static final String KEY_LIST =
      "agents, owners, max_concurrent_tasks, max_mints_per_minute, max_ttl, max_delegation_depth, max_fan_out";
  private static final Set<String> KEYS = Set.of(KEY_LIST.split(", "));

  private final List<Entry> entries;

  private QuotaRules(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  static QuotaRules parse(YamlNode node) {
    if (node.isMissing()) {
      return NONE;
    }
    return new QuotaRules(node.items().stream().map(QuotaRules::entry).toList());
  }

  /** The limits for {@code identity}; owner entries count only for an agent with a (non-blank) owner. */
  Quotas forAgent(WorkloadIdentity identity, Optional<String> owner) {
    requireNonNull(identity, "identity");
    Optional<String> known = requireNonNull(owner, "owner").filter(o -> !o.isBlank());
    Quotas.Limits perAgent = Quotas.Limits.NONE;
    Quotas.Limits perOwner = Quotas.Limits.NONE;
    for (Entry entry : entries) {
      if (!entry.byOwner() && entry.matches(identity.id())) {
        perAgent = perAgent.tighter(entry.limits());
      } else if (entry.byOwner() && known.isPresent() && entry.matches(known.get())) {
        perOwner = perOwner.tighter(entry.limits());
      }
    }
    return new Quotas(perAgent, perOwner);
  }

  /** One item of the section: whom it covers, and its limits. */
  private record Entry(boolean byOwner, List<Glob> globs, Quotas.Limits limits) {
    boolean matches(String value) {
      return globs.stream().anyMatch(g -> g.matches(value));
    }
  }

  private static Entry entry(YamlNode node) {
    node.onlyKeys(KEYS, KEY_LIST);
    YamlNode agents = node.field("agents");
    YamlNode owners = node.field("owners");
    if (agents.isMissing() == owners.isMissing()) {
      // Both would leave it unclear whether a limit is counted per agent or over the owner's agents.
      throw node.failValue(agents.isMissing() ? "neither agents nor owners" : "both agents and owners",
          "exactly one of agents (counted per agent) or owners (counted over the owner's agents)");
    }
    YamlNode who = agents.isMissing() ? owners : agents;
    List<Glob> globs = who.nonEmptyItems().stream().map(g -> Glob.compile(g.text())).toList();
    Quotas.Limits limits = new Quotas.Limits(
        count(node.field("max_concurrent_tasks"), MAX_COUNT),
        count(node.field("max_mints_per_minute"), MAX_COUNT),
        ttl(node.field("max_ttl")),
        count(node.field("max_delegation_depth"), MAX_DEPTH),
        count(node.field("max_fan_out"), MAX_COUNT));
    if (limits.isEmpty()) {
      // An entry that limits nothing is most likely a misplaced or misspelt limit; refuse rather than ignore it.
      throw node.failValue("no limit", "at least one of max_concurrent_tasks, max_mints_per_minute, max_ttl,"
          + " max_delegation_depth, max_fan_out");
    }
    return new Entry(!owners.isMissing(), globs, limits);
  }

  private static OptionalInt count(YamlNode node, int max) {
    return node.isMissing() ? OptionalInt.empty() : OptionalInt.of(node.integer(1, max));
  }

  private static Optional<Duration> ttl(YamlNode node) {
    if (node.isMissing()) {
      return Optional.empty();
    }
    String expected = "a duration such as 90s, 15m, 1h30m or PT15M";
    Duration ttl = Durations.parse(node.text(expected)).orElseThrow(() -> node.fail(expected));
    if (ttl.isNegative() || ttl.isZero()) {
      throw node.fail("> 0");
    }
    if (ttl.compareTo(PolicyFile.MAX_TTL_CEILING) > 0) {
      throw node.fail("<= 24h");
    }
    if (ttl.getNano() != 0) {
      throw node.fail("whole seconds"); // Vault TTLs are whole seconds
    }
    return Optional.of(ttl);
  }
}
