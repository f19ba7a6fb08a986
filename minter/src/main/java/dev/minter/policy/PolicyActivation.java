package dev.minter.policy;

import dev.minter.attest.WorkloadIdentity;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The values of the condition variables ({@link CelConditions#VARIABLES}) for one request being decided. Built only
 * when a condition first runs (most requests meet rules without conditions); the parts that do not depend on the
 * role are built once, and {@link #forRole} adds {@code request} and {@code resource} once per role and TTL. Not
 * thread-safe: one instance per decision.
 */
final class PolicyActivation {
  private final PolicyRequest request;
  private final Map<String, Map<String, Object>> byRole = new HashMap<>();
  private Map<String, Object> base;

  PolicyActivation(PolicyRequest request) {
    this.request = request;
  }

  PolicyRequest request() {
    return request;
  }

  /** The variables with {@code resource} and {@code request.role} bound to {@code role}, granted for {@code ttl}. */
  Map<String, Object> forRole(RoleSpec role, Duration ttl) {
    if (base == null) {
      base = base();
    }
    return byRole.computeIfAbsent(role.name() + "@" + ttl, k -> bind(role, ttl));
  }

  private Map<String, Object> base() {
    PolicyContext ctx = request.context();
    Map<String, Object> b = new HashMap<>();
    b.put("identity", identity(request.identity()));
    b.put("delegation", delegation(ctx.delegation()));
    b.put("agent", agent(ctx.agent()));
    b.put("time", time(ctx.now()));
    b.put("posture", normalized(ctx.posture()));
    return Map.copyOf(b);
  }

  private Map<String, Object> bind(RoleSpec role, Duration ttl) {
    Map<String, Object> vars = new HashMap<>(base);
    vars.put("request", Map.of(
        "purpose", request.purpose(),
        "roles", request.roles(),
        "role", role.name(),
        "ttl_seconds", ttl.toSeconds(),
        "labels", request.context().labels()));
    vars.put("resource", Map.of(
        "name", role.name(),
        "kind", role.kind(),
        "sensitivity", role.sensitivity(),
        "owner", role.owner(),
        "classification", role.classification()));
    return vars;
  }

  private static Map<String, Object> identity(WorkloadIdentity id) {
    String trustDomain = id.id().contains("://") ? id.trustDomain() : "";
    return Map.of("id", id.id(), "attestor", id.attestorKind(), "trust_domain", trustDomain, "claims", id.claims());
  }

  private static Map<String, Object> delegation(DelegationView d) {
    List<Map<String, String>> chain = d.chain().stream()
        .map(l -> Map.of("kind", l.kind(), "subject", l.subject(), "task", l.task(), "rule", l.rule()))
        .toList();
    return Map.of(
        "delegated", !d.chain().isEmpty(),
        "human", d.human().orElse(""),
        "parent_agent", d.parentAgent().map(DelegationView.Link::subject).orElse(""),
        "depth", (long) d.depth(),
        "chain", chain);
  }

  private static Map<String, Object> agent(AgentView a) {
    // Unknown instants are the epoch, so "first seen more than a day ago" is simply true for them; rules that care
    // whether the agent is known at all read agent.known.
    return Map.of(
        "known", a.firstSeen().isPresent(),
        "owner", a.owner(),
        "status", a.status(),
        "first_seen", a.firstSeen().orElse(Instant.EPOCH),
        "last_seen", a.lastSeen().orElse(Instant.EPOCH));
  }

  private static Map<String, Object> time(Instant now) {
    ZonedDateTime utc = now.atZone(ZoneOffset.UTC);
    return Map.of(
        "now", now,
        "weekday", utc.getDayOfWeek().name(),
        "hour", (long) utc.getHour(),
        "minute", (long) utc.getMinute());
  }

  /** Posture values in the types CEL computes with: ints as Long, floats as Double, nested lists and maps too. */
  static Object normalized(Object value) {
    return switch (value) {
      case null -> null;
      case Integer i -> (long) i;
      case Short s -> (long) s;
      case Byte b -> (long) b;
      case Float f -> (double) f;
      // JSON readers produce these for numbers out of int/double range or with exact decimals.
      case java.math.BigInteger b -> b.bitLength() < 64 ? (Object) b.longValue() : b.doubleValue();
      case java.math.BigDecimal d -> d.doubleValue();
      case Map<?, ?> m -> {
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(String.valueOf(k), normalized(v)));
        yield out;
      }
      case List<?> l -> {
        List<Object> out = new ArrayList<>();
        l.forEach(v -> out.add(normalized(v)));
        yield out;
      }
      default -> value;
    };
  }
}
