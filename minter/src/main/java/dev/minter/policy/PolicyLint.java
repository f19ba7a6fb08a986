package dev.minter.policy;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds rules of a valid {@link Policy} that can never be the rule that allows a request ({@code minter policy check}).
 *
 * <p>Rule B is <b>unreachable</b> when an earlier rule A without conditions covers it: every identity glob of B is
 * covered by one of A,
 * every purpose glob of B is covered by one of A, A grants every role B grants, and A's {@code max_ttl} is at least
 * B's. Then any request B would allow, A allows first (rules are tried in order, the first that allows wins), so B
 * is dead text that misleads its reader. A rule with {@code when:} conditions never shadows: they may not hold. Role
 * requirements and delegated scopes apply to every rule alike, so they change nothing here.
 *
 * <p>Glob coverage is decided <em>conservatively</em> — a finding is always real, but some dead rules go unreported.
 * Glob A covers glob B when they are equal, when B has no {@code *} and A matches it, or when A is a wildcard-free
 * prefix followed by {@code **} and B starts with that prefix.
 */
public final class PolicyLint {
  private PolicyLint() {}

  /** One finding: {@code rule} is shadowed by the earlier rule {@code by}. */
  public record Unreachable(String rule, String by) {
    public Unreachable {
      requireNonNull(rule, "rule");
      requireNonNull(by, "by");
    }

    /** The finding in words, as {@code minter policy check} prints it. */
    public String message() {
      return "rule '" + rule + "' is unreachable: the earlier rule '" + by
          + "' applies to all its identities and allows everything it allows";
    }
  }

  /** The unreachable rules of {@code policy}, in file order, each with the first earlier rule that shadows it. */
  public static List<Unreachable> unreachable(Policy policy) {
    List<Unreachable> found = new ArrayList<>();
    List<Rule> rules = policy.rules();
    for (int b = 0; b < rules.size(); b++) {
      for (int a = 0; a < b; a++) {
        if (covers(rules.get(a), rules.get(b))) {
          found.add(new Unreachable(rules.get(b).id(), rules.get(a).id()));
          break;
        }
      }
    }
    return List.copyOf(found);
  }

  /**
   * Findings that do not make a policy wrong but probably not what its author meant, as {@code minter policy check}
   * prints them: a role no rule grants, and a rule that grants a role only for purposes the role's closed list
   * never allows (so it can never grant that role).
   */
  public static List<String> warnings(Policy policy) {
    List<String> found = new ArrayList<>();
    for (RoleSpec role : policy.roles().values()) {
      if (policy.rules().stream().noneMatch(r -> r.roles().contains(role.name()))) {
        found.add("role '" + role.name() + "' is granted by no rule");
      }
    }
    for (Rule rule : policy.rules()) {
      for (String name : rule.roles()) {
        List<String> closed = policy.roles().get(name).requires().purposes();
        if (!closed.isEmpty() && closed.stream().noneMatch(rule::allowsPurpose)) {
          found.add("rule '%s' can never grant role '%s': none of the role's purposes (%s) is allowed by the rule"
              .formatted(rule.id(), name, String.join(", ", closed)));
        }
      }
    }
    return List.copyOf(found);
  }

  /** Whether {@code a} allows every request {@code b} allows, for every caller {@code b} applies to. */
  static boolean covers(Rule a, Rule b) {
    return a.conditions().isEmpty()
        && allCovered(a.identities(), b.identities())
        && allCovered(a.purposes(), b.purposes())
        && a.roles().containsAll(b.roles())
        && a.maxTtl().compareTo(b.maxTtl()) >= 0;
  }

  private static boolean allCovered(List<Glob> wide, List<Glob> narrow) {
    return narrow.stream().allMatch(n -> wide.stream().anyMatch(w -> covers(w, n)));
  }

  /** Whether every string {@code narrow} matches is matched by {@code wide} (conservative: may answer false). */
  static boolean covers(Glob wide, Glob narrow) {
    String w = wide.pattern();
    String n = narrow.pattern();
    if (w.equals(n)) {
      return true;
    }
    if (!n.contains("*")) {
      return wide.matches(n);
    }
    if (w.endsWith("**")) {
      String prefix = w.substring(0, w.length() - 2);
      return !prefix.contains("*") && n.startsWith(prefix);
    }
    return false;
  }
}
