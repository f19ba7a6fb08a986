package dev.minter.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Loading policy v1: conditions are type-checked and role attributes validated when the file is loaded. */
class PolicyV1FileTest {
  private static final String ROLE =
      "roles:\n  r: {kind: database, path: database/creds/r, vault_policies: [p]}\n";

  private static String rule(String when) {
    return ROLE + "rules:\n  - {id: guarded, identities: [\"spiffe://**\"], roles: [r], purposes: [\"**\"], max_ttl: 1h,\n"
        + "     when: " + when + "}\n";
  }

  private static String role(String attributes) {
    return "roles:\n  r: {kind: database, path: database/creds/r, vault_policies: [p], " + attributes + "}\n"
        + "rules:\n  - {id: x, identities: [\"spiffe://**\"], roles: [r], purposes: [\"**\"], max_ttl: 1h}\n";
  }

  static Stream<Arguments> invalidConditions() {
    return Stream.of(
        Arguments.of("misspelt field", rule("['identity.claim[\"x\"] == \"y\"']"),
            "bad.yaml: rules[0].when[0] (rule 'guarded'): invalid CEL condition", "undefined field 'claim'"),
        Arguments.of("undeclared variable", rule("['user.name == \"x\"']"),
            "bad.yaml: rules[0].when[0] (rule 'guarded'): invalid CEL condition", "undeclared reference to 'user'"),
        Arguments.of("int compared with string", rule("['time.hour == \"9\"']"),
            "bad.yaml: rules[0].when[0] (rule 'guarded'): invalid CEL condition", "no matching overload"),
        Arguments.of("result is not a bool", rule("['time.hour + 1']"),
            "bad.yaml: rules[0].when[0] (rule 'guarded'): invalid CEL condition", "expected type 'bool' but found 'int'"),
        Arguments.of("string result", rule("['identity.id']"),
            "bad.yaml: rules[0].when[0] (rule 'guarded'): invalid CEL condition", "expected type 'bool' but found 'string'"),
        Arguments.of("syntax error", rule("['time.hour >=']"),
            "bad.yaml: rules[0].when[0] (rule 'guarded'): invalid CEL condition", "mismatched input"),
        Arguments.of("second condition named in the path", rule("['time.hour > 1', {name: n, expr: 'agent.ownr == \"\"'}]"),
            "bad.yaml: rules[0].when[1] (rule 'guarded'): invalid CEL condition", "undefined field 'ownr'"),
        Arguments.of("too long", rule("['" + "true && ".repeat(200) + "true']"),
            "bad.yaml: rules[0].when[0] (rule 'guarded'): expression of 1604 characters", "(expected: at most 1024)"),
        Arguments.of("too many", rule("[" + "'true', ".repeat(16) + "'true']"),
            "bad.yaml: rules[0].when:", "(expected: at most 16 conditions)"),
        Arguments.of("unknown condition key", rule("[{name: n, expression: 'true'}]"),
            "bad.yaml: rules[0].when[0]: unknown key 'expression'", "(expected one of: name, expr)"),
        Arguments.of("condition without expr", rule("[{name: n}]"),
            "bad.yaml: rules[0].when[0].expr: missing", "a CEL expression"),
        Arguments.of("not a list", rule("'true'"), "bad.yaml: rules[0].when: true", "(expected: a list)"),
        Arguments.of("unknown role key", role("sensitive: high"), "bad.yaml: roles.r: unknown key 'sensitive'", "requires"),
        Arguments.of("unknown sensitivity", role("sensitivity: secret"),
            "bad.yaml: roles.r.sensitivity: secret", "(expected: one of low, medium, high, critical)"),
        Arguments.of("unknown requires key", role("requires: {human: true}"),
            "bad.yaml: roles.r.requires: unknown key 'human'", "human_delegation, max_ttl, purposes"),
        Arguments.of("glob in closed purpose list", role("requires: {purposes: [\"incident:*\"]}"),
            "bad.yaml: roles.r.requires.purposes[0]: incident:*", "an exact purpose without '*'"),
        Arguments.of("zero role max_ttl", role("requires: {max_ttl: 0s}"), "bad.yaml: roles.r.requires.max_ttl: 0s", "> 0"),
        Arguments.of("human_delegation not a bool", role("requires: {human_delegation: \"yes\"}"),
            "bad.yaml: roles.r.requires.human_delegation: yes", "true or false"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidConditions")
  void parse_invalidV1File_throwsNamingFileRuleAndCause(String name, String yaml, String prefix, String cause) {
    assertThatThrownBy(() -> PolicyFile.parse(yaml, "bad.yaml"))
        .isInstanceOf(PolicyException.class)
        .hasMessageStartingWith(prefix)
        .hasMessageContaining(cause);
  }

  @Test
  void parse_roleAttributes_areLoaded() {
    Policy policy = PolicyFile.parse(role("sensitivity: critical, owner: dba-team, classification: pii,\n"
        + "     requires: {human_delegation: true, max_ttl: 15m, purposes: [\"incident:response\", \"audit\"]}"),
        "roles.yaml");

    RoleSpec r = policy.role("r").orElseThrow();
    assertThat(r.sensitivity()).isEqualTo("critical");
    assertThat(r.owner()).isEqualTo("dba-team");
    assertThat(r.classification()).isEqualTo("pii");
    assertThat(r.requires()).isEqualTo(new RoleSpec.Requirements(true, Optional.of(Duration.ofMinutes(15)),
        List.of("incident:response", "audit")));
  }

  @Test
  void parse_v0Role_hasDefaultAttributesAndNoRequirements() {
    RoleSpec r = PolicyFile.parse(role("token_policies: []").replace(", token_policies: []", ""), "v0.yaml")
        .role("r").orElseThrow();

    assertThat(r).isEqualTo(new RoleSpec("r", "database", "database/creds/r", List.of("p"), List.of()));
    assertThat(r.sensitivity()).isEqualTo("low");
    assertThat(r.requires().any()).isFalse();
  }

  @Test
  void parse_conditions_keepNameAndExpression() {
    Rule rule = PolicyFile.parse(rule("['time.hour > 1', {name: office, expr: 'time.hour < 17'}]"), "ok.yaml")
        .rules().get(0);

    assertThat(rule.conditions()).extracting(Condition::name).containsExactly("time.hour > 1", "office");
    assertThat(rule.conditions()).extracting(Condition::expr).containsExactly("time.hour > 1", "time.hour < 17");
  }
}
