package dev.minter.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minter.attest.WorkloadIdentity;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link Policy#explain} must agree with {@link Policy#decide} on every request, and show each rule's checks. */
class PolicyExplainTest {
  private static final Policy POLICY = PolicyFile.parse(PolicyDecisionTest.YAML, "explain-test.yaml");
  private static final String RESEARCH = "spiffe://minter.local/agents/research-bot";
  private static final String BILLING = "spiffe://minter.local/agents/billing-bot";

  static Stream<Arguments> requests() {
    return Stream.of(
        Arguments.of("allowed by first rule", RESEARCH, "report:weekly", List.of("analytics-ro"), "10m"),
        Arguments.of("allowed by second rule after first denies", BILLING, "billing:q3", List.of("billing-rw"), "30m"),
        Arguments.of("ttl over every max", BILLING, "demo", List.of("analytics-ro"), "2h"),
        Arguments.of("purpose not allowed", RESEARCH, "exfiltrate", List.of("analytics-ro"), ""),
        Arguments.of("role not granted", RESEARCH, "demo", List.of("billing-rw"), ""),
        Arguments.of("no rule applies", "spiffe://minter.local/strangers/x", "demo", List.of("analytics-ro"), ""),
        Arguments.of("subtree rule", "spiffe://minter.local/team/a/b", "demo", List.of("analytics-ro"), "5m"),
        Arguments.of("unknown role", RESEARCH, "demo", List.of("nope"), ""),
        Arguments.of("duplicate role", RESEARCH, "demo", List.of("analytics-ro", "analytics-ro"), ""),
        Arguments.of("no purpose", RESEARCH, " ", List.of("analytics-ro"), ""),
        Arguments.of("no roles", RESEARCH, "demo", List.of(), ""),
        Arguments.of("default ttl", BILLING, "demo", List.of("analytics-ro", "billing-rw"), ""));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requests")
  void explain_anyRequest_agreesWithDecide(String name, String who, String purpose, List<String> roles, String ttl) {
    PolicyRequest request = request(who, purpose, roles, ttl);

    PolicyExplanation explanation = POLICY.explain(request);
    Decision decision = POLICY.decide(request);

    assertThat(explanation.decision()).isEqualTo(decision);
    Optional<String> firstAllowing =
        explanation.rules().stream().filter(PolicyExplanation.RuleTrace::allows).map(PolicyExplanation.RuleTrace::rule).findFirst();
    switch (decision) {
      case Decision.Allow allow -> assertThat(firstAllowing).contains(allow.grant().rule());
      case Decision.Deny deny -> {
        assertThat(firstAllowing).isEmpty();
        if (!deny.rule().equals(Decision.Deny.DEFAULT_DENY)) {
          // The denial names the first rule that applied; the trace must show that rule applying.
          assertThat(explanation.rules()).filteredOn(PolicyExplanation.RuleTrace::applies).first()
              .extracting(PolicyExplanation.RuleTrace::rule).isEqualTo(deny.rule());
        }
      }
    }
    assertThat(explanation.rules()).extracting(PolicyExplanation.RuleTrace::rule)
        .containsExactly("demo-agents", "billing-bot", "team-tree");
  }

  @Test
  void explain_ruleDeniesOnTtl_showsEachCheck() {
    PolicyExplanation e = POLICY.explain(request(BILLING, "demo", List.of("analytics-ro"), "30m"));

    assertThat(e.allowed()).isTrue();
    assertThat(e.rules().get(0).checks())
        .containsExactly(
            "identity " + BILLING + ": matches spiffe://minter.local/agents/*",
            "role analytics-ro: granted",
            "purpose demo: allowed",
            "ttl PT30M: exceeds PT15M");
    assertThat(e.rules().get(0).allows()).isFalse();
    assertThat(e.rules().get(1).checks()).contains("ttl PT30M: within PT1H");
    assertThat(e.rules().get(1).allows()).isTrue();
    assertThat(e.rules().get(2).applies()).isFalse();
    assertThat(e.rules().get(2).checks()).singleElement().asString().contains("does not match");
  }

  @Test
  void explain_conditionsPerRole_listsHeldFailedAndErrorForEachRole() {
    Policy policy = PolicyConditionsTest.guarded("resource.sensitivity == \"medium\" && posture.ok == true");
    PolicyRequest allowed = Requests.request().roles("analytics-ro").posture("ok", true).build();
    PolicyRequest denied = Requests.request().roles("analytics-ro", "prod-admin").build();

    PolicyExplanation yes = policy.explain(allowed);
    PolicyExplanation no = policy.explain(denied);

    assertThat(yes.allowed()).isTrue();
    assertThat(yes.rules().get(0).checks()).last().asString()
        .isEqualTo("condition 'c' (resource.sensitivity == \"medium\" && posture.ok == true): held");
    assertThat(no.decision()).isEqualTo(policy.decide(denied));
    assertThat(no.rules().get(0).checks()).filteredOn(l -> l.startsWith("condition")).satisfiesExactly(
        l -> assertThat(l).startsWith("condition 'c' (resource.sensitivity == \"medium\" && posture.ok == true)"
            + " [role analytics-ro]: error: ").contains("ok"),
        l -> assertThat(l).endsWith("[role prod-admin]: failed"));
    assertThat(no.decision()).isInstanceOfSatisfying(Decision.Deny.class, d -> assertThat(d.reason())
        .startsWith("condition 'c' of rule 'guarded' could not be evaluated: "));
  }

  @Test
  void explain_malformedRequest_runsNoRuleChecksAndSaysWhy() {
    PolicyExplanation e = POLICY.explain(request(RESEARCH, "demo", List.of("nope"), ""));

    assertThat(e.malformed()).contains("unknown role 'nope'");
    assertThat(e.rules()).allSatisfy(t -> assertThat(t.allows()).isFalse());
    assertThat(e.rules().get(0).checks()).hasSize(1);
  }

  private static PolicyRequest request(String who, String purpose, List<String> roles, String ttl) {
    return new PolicyRequest(
        new WorkloadIdentity(who, "x509_svid", Map.of()),
        purpose,
        roles,
        ttl.isEmpty() ? Optional.empty() : Durations.parse(ttl).map(Duration::from));
  }
}
