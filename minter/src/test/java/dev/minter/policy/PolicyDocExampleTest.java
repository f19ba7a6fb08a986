package dev.minter.policy;

import static dev.minter.policy.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The complete example of docs/policy.md loads, and decides as the page says it does. */
class PolicyDocExampleTest {
  private static Policy example() throws Exception {
    String doc = Files.readString(Path.of("..", "docs", "policy.md"));
    int start = doc.indexOf("```yaml\n") + "```yaml\n".length();
    return PolicyFile.parse(doc.substring(start, doc.indexOf("```", start)), "docs/policy.md");
  }

  private static Requests prodAdmin() {
    Instant now = Requests.WEDNESDAY_MORNING;
    return request().roles("prod-admin").purpose("incident:response").attestor("k8s_sat")
        .claim("k8s.namespace", "prod").posture("disk_encrypted", true).posture("risk_score", 10)
        .agent(new AgentView("team-a", "active", Optional.of(now.minusSeconds(86_400)), Optional.of(now)));
  }

  @Test
  void example_decidesAsDocumented() throws Exception {
    Policy policy = example();

    assertThat(policy.decide(prodAdmin().build())).isEqualTo(new Decision.Deny("prod-oncall",
        "role 'prod-admin' requires a human delegation (send delegation_token)"));
    assertThat(policy.decide(prodAdmin().delegatedBy("alice@corp.example").at("2026-11-25T22:00:00Z").build()))
        .isEqualTo(new Decision.Deny("prod-oncall", "condition 'office-hours' of rule 'prod-oncall' does not hold"));
    assertThat(policy.decide(prodAdmin().delegatedBy("alice@corp.example").build()))
        .isInstanceOfSatisfying(Decision.Allow.class, a -> assertThat(a.grant().ttl()).isEqualTo(Duration.ofMinutes(15)));
    assertThat(policy.decide(request().at("2026-11-25T22:00:00Z").build()))
        .isInstanceOfSatisfying(Decision.Allow.class, a -> assertThat(a.grant().rule()).isEqualTo("reports-anytime"));
    assertThat(PolicyLint.unreachable(policy)).isEmpty();
    assertThat(PolicyLint.warnings(policy)).isEmpty();
  }
}
