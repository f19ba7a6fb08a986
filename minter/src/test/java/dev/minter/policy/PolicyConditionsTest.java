package dev.minter.policy;

import static dev.minter.policy.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** CEL {@code when:} conditions over each input, evaluated per requested role, failing closed on errors. */
class PolicyConditionsTest {
  static final String ROLES =
      """
      roles:
        analytics-ro:
          {kind: database, path: database/creds/analytics-ro, vault_policies: [p-ro], sensitivity: medium,
           owner: data-team, classification: internal}
        prod-admin:
          {kind: database, path: database/creds/prod-admin, vault_policies: [p-admin], sensitivity: critical,
           owner: dba-team, classification: pii}
      """;

  /** A policy with one rule, {@code guarded}, whose only condition is {@code expr} (named {@code c}). */
  static Policy guarded(String expr) {
    return PolicyFile.parse(ROLES + """
        rules:
          - id: guarded
            identities: ["spiffe://**"]
            roles: [analytics-ro, prod-admin]
            purposes: ["report:*", "incident:*"]
            max_ttl: 1h
            when:
              - {name: c, expr: '%s'}
        """.formatted(expr.replace("'", "''")), "conditions-test.yaml");
  }

  private static final Instant NOW = Requests.WEDNESDAY_MORNING;

  static Stream<Arguments> conditionsOverEachInput() {
    return Stream.of(
        Arguments.of("identity: aws account claim", "identity.claims[\"aws.account\"] == \"123456789012\"",
            request().attestor("aws_iid").claim("aws.account", "123456789012"),
            request().attestor("aws_iid").claim("aws.account", "999999999999")),
        Arguments.of("identity: k8s namespace and attestor",
            "identity.attestor == \"k8s_sat\" && identity.claims[\"k8s.namespace\"] == \"prod\"",
            request().attestor("k8s_sat").claim("k8s.namespace", "prod"),
            request().attestor("k8s_sat").claim("k8s.namespace", "dev")),
        Arguments.of("identity: id and trust domain",
            "identity.trust_domain == \"corp.example\" && identity.id.endsWith(\"/bot\")",
            request(), request().identity("spiffe://other.example/agents/bot")),
        Arguments.of("request: label", "request.labels[\"ticket\"].startsWith(\"INC-\")",
            request().label("ticket", "INC-42"), request().label("ticket", "CHG-7")),
        Arguments.of("request: asked ttl", "request.ttl_seconds <= 600",
            request().ttl("10m"), request().ttl("30m")),
        Arguments.of("request: no ttl asked reads the rule maximum", "request.ttl_seconds <= 600",
            request().ttl("5m"), request()),
        Arguments.of("request: purpose and roles", "request.purpose.startsWith(\"report:\") && size(request.roles) == 1",
            request(), request().purpose("incident:db-down")),
        Arguments.of("request: role being decided", "request.role == \"analytics-ro\"",
            request(), request().roles("prod-admin")),
        Arguments.of("resource: sensitivity", "resource.sensitivity != \"critical\" || delegation.human != \"\"",
            request().roles("prod-admin").delegatedBy("alice@corp.example"), request().roles("prod-admin")),
        Arguments.of("resource: classification", "resource.classification != \"pii\" || \"pii_ok\" in request.labels",
            request().roles("prod-admin").label("pii_ok", "yes"), request().roles("prod-admin")),
        Arguments.of("resource: owner, name and kind",
            "resource.owner == \"data-team\" && resource.name == \"analytics-ro\" && resource.kind == \"database\"",
            request(), request().roles("prod-admin")),
        Arguments.of("delegation: human", "delegation.delegated && delegation.human.endsWith(\"@corp.example\")",
            request().delegatedBy("alice@corp.example"), request().delegatedBy("mallory@evil.example")),
        Arguments.of("delegation: depth and parent agent",
            "delegation.depth <= 1 && delegation.parent_agent.startsWith(\"spiffe://corp.example/\")",
            request().delegation(chain(1)), request().delegation(chain(2))),
        Arguments.of("delegation: chain macro", "delegation.chain.exists(l, l.kind == \"human\")",
            request().delegatedBy("alice@corp.example"), request()),
        Arguments.of("agent: owner", "agent.owner == \"team-research\"",
            request().agent(seen("team-research", "active", 48)), request()),
        Arguments.of("agent: status", "agent.status == \"active\"",
            request().agent(seen("team-research", "active", 48)), request().agent(seen("team-research", "suspended", 48))),
        Arguments.of("agent: first seen over a day ago", "agent.known && time.now - agent.first_seen > duration(\"24h\")",
            request().agent(seen("o", "active", 48)), request().agent(seen("o", "active", 1))),
        Arguments.of("agent: unknown agent has epoch timestamps", "agent.first_seen == timestamp(0)",
            request(), request().agent(seen("o", "active", 1))),
        Arguments.of("time: weekday", "!(time.weekday in [\"SATURDAY\", \"SUNDAY\"])",
            request(), request().at("2026-11-28T10:30:00Z")),
        Arguments.of("time: office hours (UTC)", "time.hour >= 9 && time.hour < 17 && time.minute >= 0",
            request(), request().at("2026-11-25T20:00:00Z")),
        Arguments.of("time: now", "time.now < timestamp(\"2026-12-01T00:00:00Z\")",
            request(), request().at("2026-12-02T00:00:00Z")),
        Arguments.of("posture: bool signal", "posture.disk_encrypted == true",
            request().posture("disk_encrypted", true), request().posture("disk_encrypted", false)),
        Arguments.of("posture: number signal (Integer normalized)", "posture.risk_score < 50",
            request().posture("risk_score", 10), request().posture("risk_score", 80L)),
        Arguments.of("posture: double signal", "posture.trust > 0.5",
            request().posture("trust", 0.9), request().posture("trust", 0.1f)),
        Arguments.of("posture: list signal", "\"patched\" in posture.tags",
            request().posture("tags", List.of("patched", "edr")), request().posture("tags", List.of("edr"))),
        Arguments.of("posture: nested map", "posture.device.os == \"linux\"",
            request().posture("device", Map.of("os", "linux")), request().posture("device", Map.of("os", "windows"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("conditionsOverEachInput")
  void decide_conditionOverInput_allowsOnlyWhenItHolds(String name, String expr, Requests holds, Requests fails) {
    Policy policy = guarded(expr);

    assertThat(policy.decide(holds.build())).isInstanceOf(Decision.Allow.class);
    assertThat(policy.decide(fails.build()))
        .isEqualTo(new Decision.Deny("guarded", "condition 'c' of rule 'guarded' does not hold"));
    // explain runs the same checks: it must agree on both.
    assertThat(policy.explain(holds.build()).rules().get(0).checks()).anyMatch(l -> l.startsWith("condition 'c'")
        && l.endsWith(": held"));
    assertThat(policy.explain(fails.build()).rules().get(0).checks()).anyMatch(l -> l.endsWith(": failed"));
  }

  static Stream<Arguments> evaluationErrors() {
    return Stream.of(
        Arguments.of("claim absent", "identity.claims[\"k8s.namespace\"] == \"prod\"", request()),
        Arguments.of("label absent", "request.labels[\"ticket\"] != \"\"", request()),
        Arguments.of("posture signal absent", "posture.disk_encrypted == true", request()),
        Arguments.of("posture signal of another type", "posture.risk_score < 50", request().posture("risk_score", "low")),
        Arguments.of("dyn result not a bool", "posture.risk_score", request().posture("risk_score", 3)),
        Arguments.of("negated absent signal still denies", "!(posture.compromised == true)", request()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("evaluationErrors")
  void decide_conditionCannotBeEvaluated_failsClosedNamingIt(String name, String expr, Requests asked) {
    Decision decision = guarded(expr).decide(asked.build());

    assertThat(decision).isInstanceOfSatisfying(Decision.Deny.class, d -> {
      assertThat(d.rule()).isEqualTo("guarded");
      assertThat(d.reason()).startsWith("condition 'c' of rule 'guarded' could not be evaluated: ");
    });
  }

  @Test
  void decide_unnamedCondition_reasonQuotesTheExpression() {
    Policy policy = PolicyFile.parse(ROLES + """
        rules:
          - {id: r, identities: ["spiffe://**"], roles: [analytics-ro], purposes: ["**"], max_ttl: 1h,
             when: ['time.hour < 9']}
        """, "unnamed.yaml");

    assertThat(policy.decide(request().build()))
        .isEqualTo(new Decision.Deny("r", "condition 'time.hour < 9' of rule 'r' does not hold"));
  }

  @Test
  void decide_severalRoles_conditionMustHoldForEachRole() {
    Policy policy = guarded("resource.sensitivity == \"medium\"");

    assertThat(policy.decide(request().roles("analytics-ro").build())).isInstanceOf(Decision.Allow.class);
    assertThat(policy.decide(request().roles("analytics-ro", "prod-admin").build()))
        .isEqualTo(new Decision.Deny("guarded", "condition 'c' of rule 'guarded' does not hold for role 'prod-admin'"));
  }

  @Test
  void decide_conditionFailsInFirstRule_laterRuleMayStillAllow() {
    Policy policy = PolicyFile.parse(ROLES + """
        rules:
          - {id: weekdays, identities: ["spiffe://**"], roles: [analytics-ro], purposes: ["**"], max_ttl: 1h,
             when: [{name: weekday, expr: '!(time.weekday in ["SATURDAY", "SUNDAY"])'}]}
          - {id: weekend-short, identities: ["spiffe://**"], roles: [analytics-ro], purposes: ["**"], max_ttl: 5m}
        """, "two-rules.yaml");

    Decision saturday = policy.decide(request().at("2026-11-28T10:00:00Z").build());
    Decision wednesday = policy.decide(request().build());

    assertThat(saturday).isInstanceOfSatisfying(Decision.Allow.class, a -> {
      assertThat(a.grant().rule()).isEqualTo("weekend-short");
      assertThat(a.grant().ttl()).hasMinutes(5);
    });
    assertThat(wednesday).isInstanceOfSatisfying(Decision.Allow.class, a -> assertThat(a.grant().rule()).isEqualTo("weekdays"));
  }

  @Test
  void decide_ruleCheckFailsFirst_reasonIsTheRuleCheckNotTheCondition() {
    Decision d = guarded("time.hour < 0").decide(request().purpose("exfiltrate").build());

    assertThat(d).isInstanceOfSatisfying(Decision.Deny.class,
        deny -> assertThat(deny.reason()).startsWith("purpose 'exfiltrate' is not allowed by rule 'guarded'"));
  }

  @Test
  void decide_concurrentCalls_shareCompiledProgramsSafely() throws Exception {
    Policy policy = guarded("time.hour >= 9 && identity.claims[\"k8s.namespace\"] == \"prod\"");
    PolicyRequest yes = request().claim("k8s.namespace", "prod").build();
    PolicyRequest no = request().claim("k8s.namespace", "dev").build();
    try (var pool = java.util.concurrent.Executors.newFixedThreadPool(8)) {
      List<java.util.concurrent.Future<Boolean>> results = new java.util.ArrayList<>();
      for (int t = 0; t < 8; t++) {
        results.add(pool.submit(() -> {
          for (int i = 0; i < 500; i++) {
            if (!(policy.decide(yes) instanceof Decision.Allow) || !(policy.decide(no) instanceof Decision.Deny)) {
              return false;
            }
          }
          return true;
        }));
      }
      for (var r : results) {
        assertThat(r.get()).isTrue();
      }
    }
  }

  private static DelegationView chain(int agents) {
    List<DelegationView.Link> links = new java.util.ArrayList<>();
    links.add(DelegationView.Link.human("alice@corp.example"));
    for (int i = 0; i < agents; i++) {
      links.add(DelegationView.Link.agent("spiffe://corp.example/agents/parent" + i, "task-" + i, "guarded"));
    }
    return new DelegationView(links, Optional.empty());
  }

  private static AgentView seen(String owner, String status, int hoursAgo) {
    Instant first = NOW.minusSeconds(hoursAgo * 3600L);
    return new AgentView(owner, status, Optional.of(first), Optional.of(NOW.minusSeconds(60)));
  }
}
