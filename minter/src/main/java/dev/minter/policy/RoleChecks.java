package dev.minter.policy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The checks every rule makes beyond its own grant: what each requested role demands ({@link RoleSpec.Requirements})
 * and what the delegators handed on ({@link DelegationView.Scope}). They are the same for every rule, because a
 * sensitive role and a delegation's limits must hold whichever rule grants the request.
 */
final class RoleChecks {
  private RoleChecks() {}

  /** Each requested role's requirements, checked against the request granted for {@code ttl}. */
  static void requirements(PolicyRequest request, Map<String, RoleSpec> roles, Duration ttl, List<Policy.Check> out) {
    Optional<String> human = request.context().delegation().human();
    for (String name : request.roles()) {
      RoleSpec.Requirements requires = roles.get(name).requires();
      if (requires.humanDelegation()) {
        out.add(new Policy.Check(
            () -> "role " + name + " requires a human delegation: " + human.map(h -> "delegated by " + h).orElse("none"),
            human.isPresent(),
            human.isPresent() ? "" : "role '%s' requires a human delegation (send delegation_token)".formatted(name)));
      }
      if (requires.maxTtl().isPresent()) {
        Duration max = requires.maxTtl().get();
        boolean ok = ttl.compareTo(max) <= 0;
        out.add(new Policy.Check(
            () -> "ttl " + ttl + ": " + (ok ? "within " : "exceeds ") + "role " + name + " maximum " + max,
            ok,
            ok ? "" : "ttl %s exceeds the maximum %s of role '%s' (ask for %s or less)".formatted(ttl, max, name, max)));
      }
      if (!requires.purposes().isEmpty()) {
        boolean ok = requires.purposes().contains(request.purpose());
        String list = String.join(", ", requires.purposes());
        out.add(new Policy.Check(
            () -> "purpose " + request.purpose() + ": " + (ok ? "one of" : "not one of") + " role " + name + " purposes ("
                + list + ")",
            ok,
            ok ? "" : "role '%s' may only be used for the purposes: %s (declared: '%s')".formatted(name, list, request.purpose())));
      }
    }
  }

  /** The request against the delegated scope, if the caller was delegated to: the grant is policy ∩ scope. */
  static void scope(PolicyRequest request, Duration ttl, List<Policy.Check> out) {
    Optional<DelegationView.Scope> maybe = request.context().delegation().scope();
    if (maybe.isEmpty()) {
      return;
    }
    DelegationView.Scope scope = maybe.get();
    String delegatedRoles = String.join(", ", new TreeSet<>(scope.roles()));
    for (String role : request.roles()) {
      boolean ok = scope.roles().contains(role);
      out.add(new Policy.Check(
          () -> "role " + role + ": " + (ok ? "delegated" : "not delegated (delegated: [" + delegatedRoles + "])"),
          ok,
          ok ? "" : "role '%s' was not delegated (delegated: [%s])".formatted(role, delegatedRoles)));
    }
    String purposes = scope.purposes().stream().map(Glob::pattern).collect(Collectors.joining(", "));
    boolean purposeOk = scope.allowsPurpose(request.purpose());
    out.add(new Policy.Check(
        () -> "purpose " + request.purpose() + ": " + (purposeOk ? "delegated" : "not delegated (delegated: [" + purposes + "])"),
        purposeOk,
        purposeOk ? "" : "purpose '%s' was not delegated (delegated: [%s])".formatted(request.purpose(), purposes)));
    if (scope.maxTtl().isPresent()) {
      Duration max = scope.maxTtl().get();
      // A parent task with less than a second left cannot hand on a usable TTL: Vault would read 0s as "default".
      boolean usable = max.toSeconds() >= 1;
      boolean ok = usable && ttl.compareTo(max) <= 0;
      String reason;
      if (ok) {
        reason = "";
      } else if (usable) {
        reason = "ttl %s exceeds the delegated maximum %s (ask for %s or less)".formatted(ttl, max, max);
      } else {
        reason = "the delegated time left (%s) is less than 1s".formatted(max);
      }
      String label = usable
          ? "ttl " + ttl + ": " + (ok ? "within" : "exceeds") + " delegated maximum " + max
          : "delegated maximum " + max + ": less than 1s";
      out.add(new Policy.Check(() -> label, ok, reason));
    }
  }
}
