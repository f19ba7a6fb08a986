package dev.minter.policy;

import static java.util.Objects.requireNonNull;

import dev.minter.attest.WorkloadIdentity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Minter's policy, as loaded by {@link PolicyFile}: admin globs, declared roles and rules in file order.
 * Immutable and pure, so one instance can be swapped atomically on reload and shared by every call.
 *
 * <p>Decisions deny by default. Rules are tried in file order and the first one that allows the whole request
 * wins; a rule never grants part of a request. When nothing allows it, the reason comes from the first rule
 * that applied to the caller, so the person reading it is pointed at the rule that most likely was meant.
 *
 * <p>A rule allows when it grants every requested role, the purpose and the TTL; every requested role's own
 * requirements are met (human delegation, TTL, closed purpose list); the request stays within what its delegators
 * handed on (the grant is policy ∩ delegated scope); and each of its CEL conditions holds for each requested role.
 */
public final class Policy implements PolicyEngine {
  private final String source;
  private final String sha256;
  private final List<Glob> admins;
  private final Map<String, RoleSpec> roles;
  private final List<Rule> rules;
  private final boolean requireOwner;
  private final QuotaRules quotas;
  private final AnomalyRules anomalies;

  /** Built by {@link PolicyFile}, which checks what a record cannot (references between roles and rules). */
  Policy(String source, String sha256, List<Glob> admins, Map<String, RoleSpec> roles, List<Rule> rules) {
    this(source, sha256, admins, roles, rules, false, QuotaRules.NONE, AnomalyRules.NONE);
  }

  Policy(
      String source,
      String sha256,
      List<Glob> admins,
      Map<String, RoleSpec> roles,
      List<Rule> rules,
      boolean requireOwner,
      QuotaRules quotas,
      AnomalyRules anomalies) {
    this.requireOwner = requireOwner;
    this.quotas = requireNonNull(quotas, "quotas");
    this.anomalies = requireNonNull(anomalies, "anomalies");
    this.source = requireNonNull(source, "source");
    this.sha256 = requireNonNull(sha256, "sha256");
    this.admins = List.copyOf(admins);
    this.roles = Collections.unmodifiableMap(new LinkedHashMap<>(roles));
    this.rules = List.copyOf(rules);
  }

  @Override
  public Decision decide(PolicyRequest request) {
    requireNonNull(request, "request");
    Optional<String> malformed = malformed(request);
    if (malformed.isPresent()) {
      return new Decision.Deny(Decision.Deny.DEFAULT_DENY, malformed.get());
    }
    String who = request.identity().id();
    PolicyActivation variables = new PolicyActivation(request);
    Decision.Deny firstDeny = null;
    for (Rule rule : rules) {
      if (!rule.appliesTo(who)) {
        continue;
      }
      Optional<String> failure = failure(rule, variables);
      if (failure.isEmpty()) {
        return new Decision.Allow(grant(rule, request));
      }
      if (firstDeny == null) {
        firstDeny = new Decision.Deny(rule.id(), failure.get());
      }
    }
    return firstDeny != null
        ? firstDeny
        : new Decision.Deny(Decision.Deny.DEFAULT_DENY, "no policy rule matches identity " + who);
  }

  /** Faults of the request itself, whoever asks: no rule could allow these. */
  private Optional<String> malformed(PolicyRequest request) {
    if (request.roles().isEmpty()) {
      return Optional.of("no roles requested");
    }
    Set<String> seen = new HashSet<>();
    for (String role : request.roles()) {
      if (!roles.containsKey(role)) {
        return Optional.of("unknown role '" + role + "'");
      }
      if (!seen.add(role)) {
        // A repeated role would mint the same credential twice under one task; refuse rather than guess.
        return Optional.of("role '" + role + "' is requested more than once");
      }
    }
    if (request.purpose().isBlank()) {
      return Optional.of("no purpose declared");
    }
    Optional<Duration> ttl = request.ttl();
    if (ttl.isPresent() && (ttl.get().isNegative() || ttl.get().isZero())) {
      return Optional.of("ttl " + ttl.get() + " (expected: > 0)");
    }
    // Vault TTLs are whole seconds, and Vault reads a TTL of 0 as "the default" (up to 32 days), so a
    // sub-second TTL must never reach the minting code, which truncates.
    if (ttl.isPresent() && ttl.get().toSeconds() < 1) {
      return Optional.of("ttl " + ttl.get() + " (expected: at least 1s)");
    }
    return Optional.empty();
  }

  /** The first reason {@code rule} does not allow the request, or empty if it allows all of it. */
  private Optional<String> failure(Rule rule, PolicyActivation variables) {
    return checks(rule, variables, true).stream().filter(c -> !c.passed()).map(Check::reason).findFirst();
  }

  /**
   * Every check {@code rule} makes of the request, in the order {@link #decide} makes them. Both {@link #decide}
   * and {@link #explain} use this one list, so an explanation can never disagree with the decision. With {@code
   * firstFailure}, the list ends after the first stage that fails (decide needs no more, and skipping the
   * conditions saves their cost); the first failing check is the same either way.
   *
   * <p>Stages: what the rule grants (roles, purpose, TTL); what each requested role demands whoever grants it
   * ({@link RoleSpec.Requirements}); what the delegators handed on ({@link DelegationView.Scope}); the rule's
   * conditions, once per requested role.
   */
  private List<Check> checks(Rule rule, PolicyActivation variables, boolean firstFailure) {
    PolicyRequest request = variables.request();
    List<Check> checks = new ArrayList<>();
    for (String role : request.roles()) {
      boolean granted = rule.roles().contains(role);
      checks.add(new Check(() -> "role " + role + ": " + (granted ? "granted" : "not granted"), granted,
          granted ? "" : "role '%s' is not granted to %s by rule '%s'".formatted(role, request.identity().id(), rule.id())));
    }
    boolean purposeOk = rule.allowsPurpose(request.purpose());
    checks.add(new Check(
        () -> "purpose " + request.purpose() + ": "
            + (purposeOk ? "allowed" : "not allowed (allowed: " + patterns(rule.purposes()) + ")"),
        purposeOk,
        purposeOk ? "" : "purpose '%s' is not allowed by rule '%s' (allowed: %s)"
            .formatted(request.purpose(), rule.id(), patterns(rule.purposes()))));
    Duration ttl = request.ttl().orElse(cap(rule, request));
    boolean ttlOk = ttl.compareTo(rule.maxTtl()) <= 0;
    checks.add(new Check(
        () -> "ttl " + ttl + ": " + (ttlOk ? "within " : "exceeds ") + rule.maxTtl(),
        ttlOk,
        ttlOk ? "" : "ttl %s exceeds the maximum %s of rule '%s'".formatted(ttl, rule.maxTtl(), rule.id())));
    if (firstFailure && failed(checks)) {
      return checks;
    }
    RoleChecks.requirements(request, roles, ttl, checks);
    if (firstFailure && failed(checks)) {
      return checks;
    }
    RoleChecks.scope(request, ttl, checks);
    if (firstFailure && failed(checks)) {
      return checks;
    }
    ConditionChecks.add(rule, variables, roles, ttl, checks);
    return checks;
  }

  private static boolean failed(List<Check> checks) {
    return checks.stream().anyMatch(c -> !c.passed());
  }

  /**
   * The longest TTL {@code rule} may grant this request: the rule's maximum, lowered by each requested role's own
   * maximum and by what the delegators handed on. Also the TTL granted when none is asked for.
   */
  private Duration cap(Rule rule, PolicyRequest request) {
    Duration cap = rule.maxTtl();
    for (String name : request.roles()) {
      Optional<Duration> roleMax = roles.get(name).requires().maxTtl();
      if (roleMax.isPresent() && roleMax.get().compareTo(cap) < 0) {
        cap = roleMax.get();
      }
    }
    Optional<Duration> delegated = request.context().delegation().scope().flatMap(DelegationView.Scope::maxTtl);
    if (delegated.isPresent() && delegated.get().compareTo(cap) < 0) {
      cap = delegated.get();
    }
    return cap;
  }

  /**
   * How {@link #decide} reaches its decision on {@code request}: each rule in order, whether it applies to the
   * caller, each of its checks (conditions included, with held / failed / the evaluation error), and the decision
   * itself (computed by {@link #decide}, never re-derived).
   */
  public PolicyExplanation explain(PolicyRequest request) {
    requireNonNull(request, "request");
    Optional<String> malformed = malformed(request);
    PolicyActivation variables = new PolicyActivation(request);
    List<PolicyExplanation.RuleTrace> traces = new ArrayList<>();
    for (Rule rule : rules) {
      boolean applies = rule.appliesTo(request.identity().id());
      List<Check> checks = applies && malformed.isEmpty() ? checks(rule, variables, false) : List.of();
      List<String> lines = new ArrayList<>();
      lines.add("identity " + request.identity().id() + ": " + (applies ? "matches" : "does not match")
          + " " + rule.identities().stream().map(Glob::pattern).collect(Collectors.joining(", ")));
      checks.forEach(c -> lines.add(c.label().get()));
      boolean allows = applies && malformed.isEmpty() && checks.stream().allMatch(Check::passed);
      traces.add(new PolicyExplanation.RuleTrace(rule.id(), applies, lines, allows));
    }
    return new PolicyExplanation(decide(request), malformed, traces);
  }

  /**
   * One check of a rule: what a person reads in an explanation, and the reason a denial gives when it fails (only
   * read then: passing checks may leave it empty, which keeps formatting off the hot path of decide).
   */
  record Check(Supplier<String> label, boolean passed, String reason) {}

  private static String patterns(List<Glob> globs) {
    return globs.stream().map(Glob::pattern).collect(Collectors.joining(", "));
  }

  private Grant grant(Rule rule, PolicyRequest request) {
    List<RoleSpec> specs = new ArrayList<>();
    TreeSet<String> policies = new TreeSet<>();
    for (String name : request.roles()) {
      RoleSpec spec = roles.get(name);
      specs.add(spec);
      policies.addAll(spec.vaultPolicies());
    }
    // Rounding down to whole seconds can only shorten the grant, never push it past any maximum.
    Duration ttl = Duration.ofSeconds(request.ttl().orElse(cap(rule, request)).toSeconds());
    return new Grant(rule.id(), specs, ttl, List.copyOf(policies));
  }

  @Override
  public Quotas quotas(WorkloadIdentity identity, Optional<String> owner) {
    return quotas.forAgent(requireNonNull(identity, "identity"), requireNonNull(owner, "owner"));
  }

  @Override
  public AnomalyAction onAnomaly(String kind) {
    return anomalies.action(requireNonNull(kind, "kind"));
  }

  @Override
  public AnomalySettings anomalySettings() {
    return anomalies.settings();
  }

  @Override
  public boolean requiresOwner() {
    return requireOwner;
  }

  @Override
  public boolean isAdmin(WorkloadIdentity identity) {
    requireNonNull(identity, "identity");
    return admins.stream().anyMatch(g -> g.matches(identity.id()));
  }

  @Override
  public Optional<RoleSpec> role(String name) {
    return Optional.ofNullable(roles.get(requireNonNull(name, "name")));
  }

  /** The declared roles, in file order. */
  public Map<String, RoleSpec> roles() {
    return roles;
  }

  /** The rules, in file order (the order they are tried in). */
  public List<Rule> rules() {
    return rules;
  }

  /** The admin globs. */
  public List<Glob> admins() {
    return admins;
  }

  /** Where the policy came from (a file path or the name given to {@link PolicyFile#parse}). */
  public String source() {
    return source;
  }

  /** Lower-case hex SHA-256 of the policy file's bytes, for the audit record of every decision and reload. */
  @Override
  public String sha256() {
    return sha256;
  }

  @Override
  public String toString() {
    return "Policy[source=" + source + ", sha256=" + sha256 + ", roles=" + roles.size()
        + ", rules=" + rules.size() + "]";
  }
}
