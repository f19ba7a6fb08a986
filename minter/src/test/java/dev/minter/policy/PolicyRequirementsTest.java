package dev.minter.policy;

import static dev.minter.policy.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Sensitive roles' requirements, and narrowing to a delegated scope, apply whichever rule grants the request. */
class PolicyRequirementsTest {
  static final Policy POLICY = PolicyFile.parse("""
      roles:
        analytics-ro: {kind: database, path: database/creds/analytics-ro, vault_policies: [p-ro]}
        billing-rw: {kind: database, path: database/creds/billing-rw, vault_policies: [p-rw]}
        prod-admin:
          kind: database
          path: database/creds/prod-admin
          vault_policies: [p-admin]
          sensitivity: critical
          requires: {human_delegation: true, max_ttl: 15m, purposes: ["incident:response", "audit"]}
      rules:
        - id: oncall
          identities: ["spiffe://corp.example/agents/*"]
          roles: [analytics-ro, billing-rw, prod-admin]
          purposes: ["**"]
          max_ttl: 1h
        - id: broad
          identities: ["spiffe://**"]
          roles: [prod-admin]
          purposes: ["**"]
          max_ttl: 8h
      """, "requirements-test.yaml");

  private static final String HUMAN = "alice@corp.example";

  static Stream<Arguments> roleRequirements() {
    return Stream.of(
        Arguments.of("no human delegation", request().roles("prod-admin").purpose("audit"),
            "role 'prod-admin' requires a human delegation (send delegation_token)"),
        Arguments.of("ttl above the role maximum", request().roles("prod-admin").purpose("audit").ttl("30m")
            .delegatedBy(HUMAN), "ttl PT30M exceeds the maximum PT15M of role 'prod-admin' (ask for PT15M or less)"),
        Arguments.of("purpose outside the closed list", request().roles("prod-admin").purpose("incident:other")
            .delegatedBy(HUMAN),
            "role 'prod-admin' may only be used for the purposes: incident:response, audit (declared: 'incident:other')"),
        Arguments.of("with another role, the sensitive one still demands it",
            request().roles("analytics-ro", "prod-admin").purpose("audit"),
            "role 'prod-admin' requires a human delegation (send delegation_token)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("roleRequirements")
  void decide_roleRequirementUnmet_deniesWithActionableReason(String name, Requests asked, String reason) {
    assertThat(POLICY.decide(asked.build())).isEqualTo(new Decision.Deny("oncall", reason));
  }

  @Test
  void decide_requirementUnmet_noBroaderRuleGrantsItEither() {
    // "broad" would allow 8h for any purpose; the role's requirements hold under it too.
    PolicyExplanation e = POLICY.explain(request().identity("spiffe://corp.example/other/x").roles("prod-admin")
        .purpose("audit").build());

    assertThat(e.decision()).isEqualTo(new Decision.Deny("broad",
        "role 'prod-admin' requires a human delegation (send delegation_token)"));
    assertThat(e.rules().get(1).checks()).contains("role prod-admin requires a human delegation: none");
  }

  @Test
  void decide_requirementsMet_grantCappedAtRoleMaximumWhenNoTtlAsked() {
    Decision d = POLICY.decide(request().roles("prod-admin").purpose("incident:response").delegatedBy(HUMAN).build());

    assertThat(d).isInstanceOfSatisfying(Decision.Allow.class, a -> {
      assertThat(a.grant().rule()).isEqualTo("oncall");
      assertThat(a.grant().ttl()).isEqualTo(Duration.ofMinutes(15));
    });
  }

  @Test
  void decide_childOfHumanDelegatedTask_satisfiesHumanDelegation() {
    DelegationView chain = new DelegationView(List.of(DelegationView.Link.human(HUMAN),
        DelegationView.Link.agent("spiffe://corp.example/agents/parent", "task-1", "oncall")), Optional.empty());

    assertThat(POLICY.decide(request().roles("prod-admin").purpose("audit").delegation(chain).build()))
        .isInstanceOf(Decision.Allow.class);
  }

  private static Requests delegated(Set<String> roles, List<String> purposes, Optional<Duration> maxTtl) {
    return request().delegation(new DelegationView(List.of(DelegationView.Link.human(HUMAN)),
        Optional.of(new DelegationView.Scope(roles, purposes.stream().map(Glob::compile).toList(), maxTtl))));
  }

  static Stream<Arguments> scopeNarrowing() {
    Optional<Duration> tenMinutes = Optional.of(Duration.ofMinutes(10));
    return Stream.of(
        Arguments.of("role not delegated",
            delegated(Set.of("analytics-ro", "prod-admin"), List.of("report:*"), tenMinutes).roles("analytics-ro", "billing-rw"),
            "role 'billing-rw' was not delegated (delegated: [analytics-ro, prod-admin])"),
        Arguments.of("purpose not delegated", delegated(Set.of("analytics-ro"), List.of("report:*"), tenMinutes)
            .purpose("billing:q3"), "purpose 'billing:q3' was not delegated (delegated: [report:*])"),
        Arguments.of("ttl above the delegated maximum", delegated(Set.of("analytics-ro"), List.of("report:*"), tenMinutes)
            .ttl("20m"), "ttl PT20M exceeds the delegated maximum PT10M (ask for PT10M or less)"),
        Arguments.of("parent has under a second left",
            delegated(Set.of("analytics-ro"), List.of("report:*"), Optional.of(Duration.ofMillis(500))),
            "the delegated time left (PT0.5S) is less than 1s"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scopeNarrowing")
  void decide_beyondDelegatedScope_deniesNamingWhatWasDelegated(String name, Requests asked, String reason) {
    assertThat(POLICY.decide(asked.build())).isEqualTo(new Decision.Deny("oncall", reason));
  }

  @Test
  void decide_withinScope_grantIsPolicyIntersectScope() {
    Requests asked = delegated(Set.of("analytics-ro"), List.of("report:*"), Optional.of(Duration.ofSeconds(90)));

    Decision d = POLICY.decide(asked.build());

    assertThat(d).isInstanceOfSatisfying(Decision.Allow.class,
        a -> assertThat(a.grant().ttl()).as("no TTL asked: capped at the delegated maximum").hasSeconds(90));
    assertThat(POLICY.explain(asked.build()).rules().get(0).checks()).contains(
        "role analytics-ro: delegated", "purpose report:weekly: delegated", "ttl PT1M30S: within delegated maximum PT1M30S");
  }

  @Test
  void decide_scopeWithoutTtl_ruleMaximumStillCaps() {
    Decision d = POLICY.decide(delegated(Set.of("analytics-ro"), List.of("**"), Optional.empty()).build());

    assertThat(d).isInstanceOfSatisfying(Decision.Allow.class, a -> assertThat(a.grant().ttl()).hasHours(1));
  }
}
