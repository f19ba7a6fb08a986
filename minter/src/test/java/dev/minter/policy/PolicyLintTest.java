package dev.minter.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PolicyLintTest {
  private static final String ROLES =
      """
      admins: []
      roles:
        a: {kind: database, path: database/creds/a, vault_policies: [p-a]}
        b: {kind: database, path: database/creds/b, vault_policies: [p-b]}
      rules:
      """;

  @Test
  void unreachable_laterRuleShadowedByBroaderEarlierOne_isReported() {
    Policy p = PolicyFile.parse(ROLES + """
          - {id: broad, identities: ["spiffe://x/**"], roles: [a, b], purposes: ["**"], max_ttl: 1h}
          - {id: narrow, identities: ["spiffe://x/agents/*", "spiffe://x/bot"], roles: [a], purposes: ["demo"], max_ttl: 5m}
        """, "lint.yaml");

    assertThat(PolicyLint.unreachable(p)).containsExactly(new PolicyLint.Unreachable("narrow", "broad"));
  }

  static Stream<Arguments> reachable() {
    return Stream.of(
        Arguments.of("later rule has a longer ttl", "[a]", "1h", "5m"),
        Arguments.of("later rule grants a role the earlier does not", "[a, b]", "5m", "5m"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("reachable")
  void unreachable_laterRuleAllowsMore_isNotReported(String name, String laterRoles, String laterTtl, String earlierTtl) {
    Policy p = PolicyFile.parse(ROLES + """
          - {id: first, identities: ["spiffe://x/**"], roles: [a], purposes: ["**"], max_ttl: %s}
          - {id: second, identities: ["spiffe://x/agents/*"], roles: %s, purposes: ["demo"], max_ttl: %s}
        """.formatted(earlierTtl, laterRoles, laterTtl), "lint.yaml");

    assertThat(PolicyLint.unreachable(p)).isEmpty();
  }

  @Test
  void unreachable_identitiesOnlyPartlyCovered_isNotReported() {
    Policy p = PolicyFile.parse(ROLES + """
          - {id: first, identities: ["spiffe://x/agents/*"], roles: [a], purposes: ["**"], max_ttl: 1h}
          - {id: second, identities: ["spiffe://x/agents/*", "spiffe://y/bot"], roles: [a], purposes: ["demo"], max_ttl: 5m}
        """, "lint.yaml");

    assertThat(PolicyLint.unreachable(p)).isEmpty();
  }

  @Test
  void unreachable_earlierRuleHasConditions_doesNotShadow() {
    Policy p = PolicyFile.parse(ROLES + """
          - {id: office-hours, identities: ["spiffe://x/**"], roles: [a, b], purposes: ["**"], max_ttl: 1h,
             when: ['time.hour >= 9 && time.hour < 17']}
          - {id: narrow, identities: ["spiffe://x/bot"], roles: [a], purposes: ["demo"], max_ttl: 5m}
        """, "lint.yaml");

    assertThat(PolicyLint.unreachable(p)).isEmpty();
  }

  @Test
  void unreachable_laterRuleHasConditions_isStillShadowedByUnconditionalRule() {
    Policy p = PolicyFile.parse(ROLES + """
          - {id: broad, identities: ["spiffe://x/**"], roles: [a, b], purposes: ["**"], max_ttl: 1h}
          - {id: guarded, identities: ["spiffe://x/bot"], roles: [a], purposes: ["demo"], max_ttl: 5m,
             when: ['posture.ok == true']}
        """, "lint.yaml");

    assertThat(PolicyLint.unreachable(p)).containsExactly(new PolicyLint.Unreachable("guarded", "broad"));
  }

  @Test
  void warnings_roleGrantedByNoRuleAndClosedPurposesNeverAllowed_areReported() {
    Policy p = PolicyFile.parse("""
        roles:
          a: {kind: database, path: database/creds/a, vault_policies: [p-a], requires: {purposes: ["incident:db"]}}
          b: {kind: database, path: database/creds/b, vault_policies: [p-b]}
        rules:
          - {id: reports, identities: ["spiffe://x/**"], roles: [a], purposes: ["report:*"], max_ttl: 1h}
        """, "lint.yaml");

    assertThat(PolicyLint.warnings(p)).containsExactly(
        "role 'b' is granted by no rule",
        "rule 'reports' can never grant role 'a': none of the role's purposes (incident:db) is allowed by the rule");
  }

  static Stream<Arguments> globs() {
    return Stream.of(
        Arguments.of("spiffe://x/*", "spiffe://x/*", true),
        Arguments.of("spiffe://x/*", "spiffe://x/bot", true),
        Arguments.of("spiffe://x/**", "spiffe://x/a/*", true),
        Arguments.of("spiffe://x/*", "spiffe://x/**", false),
        Arguments.of("spiffe://x/*", "spiffe://x/a/b", false),
        Arguments.of("spiffe://x/b*", "spiffe://x/b**", false),
        Arguments.of("spiffe://*/**", "spiffe://x/a", true),
        Arguments.of("spiffe://*/**", "spiffe://x/*", false));
  }

  @ParameterizedTest(name = "{0} covers {1}: {2}")
  @MethodSource("globs")
  void covers_globPairs_conservative(String wide, String narrow, boolean expected) {
    assertThat(PolicyLint.covers(Glob.compile(wide), Glob.compile(narrow))).isEqualTo(expected);
  }
}
