package dev.minter.policy;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The checks a rule's {@code when:} conditions make: each condition once per requested role (with {@code resource}
 * and {@code request.role} bound to it), so a condition about a resource must hold for every resource asked for.
 */
final class ConditionChecks {
  private ConditionChecks() {}

  /** Adds each condition of {@code rule}, once per requested role; an evaluation error fails closed. */
  static void add(Rule rule, PolicyActivation variables, Map<String, RoleSpec> roles, Duration ttl,
      List<Policy.Check> checks) {
    List<String> asked = variables.request().roles();
    for (Condition condition : rule.conditions()) {
      for (String role : asked) {
        Condition.Outcome outcome = condition.evaluate(variables.forRole(roles.get(role), ttl));
        String reason = outcome.held() ? "" : outcome.error()
            .map(e -> "condition '%s' of rule '%s' could not be evaluated: %s".formatted(condition.name(), rule.id(), e))
            .orElse("condition '%s' of rule '%s' does not hold%s".formatted(condition.name(), rule.id(),
                asked.size() == 1 ? "" : " for role '" + role + "'"));
        checks.add(new Policy.Check(() -> label(condition, asked.size() == 1 ? "" : role, outcome), outcome.held(), reason));
      }
    }
  }

  /** What explain shows for one evaluation; built only when an explanation asks for it. */
  private static String label(Condition condition, String role, Condition.Outcome outcome) {
    String shown = condition.name().equals(condition.expr())
        ? "'" + condition.expr() + "'"
        : "'" + condition.name() + "' (" + condition.expr() + ")";
    String forRole = role.isEmpty() ? "" : " [role " + role + "]";
    String what = outcome.held() ? "held" : outcome.error().map(e -> "error: " + e).orElse("failed");
    return "condition " + shown + forRole + ": " + what;
  }
}
