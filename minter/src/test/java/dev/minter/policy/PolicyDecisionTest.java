package dev.minter.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minter.attest.WorkloadIdentity;
import dev.minter.policy.Decision.Allow;
import dev.minter.policy.Decision.Deny;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PolicyDecisionTest {
  private static final String AGENTS = "spiffe://minter.local/agents/";
  private static final String RESEARCH = AGENTS + "research-bot";
  private static final String BILLING = AGENTS + "billing-bot";

  static final String YAML =
      """
      admins:
        - "spiffe://minter.local/operators/*"
      roles:
        analytics-ro:
          kind: database
          path: database/creds/analytics-ro
          vault_policies: [minter-task-analytics-ro]
        billing-rw:
          kind: database
          path: database/creds/billing-rw
          vault_policies: [minter-task-billing-rw, minter-task-analytics-ro]
        vault-token:
          kind: vault-token
          vault_policies: [minter-task-vault-token, agent-kv-read]
          token_policies: [agent-kv-read]
      rules:
        - id: demo-agents
          identities: ["spiffe://minter.local/agents/*"]
          roles: [analytics-ro, vault-token]
          purposes: ["report:*", "demo"]
          max_ttl: 15m
        - id: billing-bot
          identities: ["spiffe://minter.local/agents/billing-bot"]
          roles: [analytics-ro, billing-rw]
          purposes: ["billing:**", "demo"]
          max_ttl: 1h
        - id: team-tree
          identities: ["spiffe://minter.local/team/**"]
          roles: [analytics-ro]
          purposes: ["demo"]
          max_ttl: 5m
      """;

  private static final Policy POLICY = PolicyFile.parse(YAML, "decision-test.yaml");

  static Stream<Arguments> decisions() {
    return Stream.of(
        // name, identity, purpose, roles, ttl (null = absent), expected
        row("allow: glob identity", RESEARCH, "report:weekly", List.of("analytics-ro"), "PT10M",
            allow("demo-agents", "PT10M", List.of("analytics-ro"), "minter-task-analytics-ro")),
        row("allow: exact identity", BILLING, "billing:monthly", List.of("billing-rw"), "PT30M",
            allow("billing-bot", "PT30M", List.of("billing-rw"),
                "minter-task-analytics-ro", "minter-task-billing-rw")),
        row("allow: several roles keep request order, policies sorted", RESEARCH, "demo",
            List.of("vault-token", "analytics-ro"), "PT5M",
            allow("demo-agents", "PT5M", List.of("vault-token", "analytics-ro"),
                "agent-kv-read", "minter-task-analytics-ro", "minter-task-vault-token")),
        row("allow: overlapping policies are distinct", BILLING, "billing:x", List.of("billing-rw", "analytics-ro"),
            "PT1M", allow("billing-bot", "PT1M", List.of("billing-rw", "analytics-ro"),
                "minter-task-analytics-ro", "minter-task-billing-rw")),
        row("allow: ttl absent gets rule max", RESEARCH, "demo", List.of("analytics-ro"), null,
            allow("demo-agents", "PT15M", List.of("analytics-ro"), "minter-task-analytics-ro")),
        row("allow: ttl equal to max", RESEARCH, "demo", List.of("analytics-ro"), "PT15M",
            allow("demo-agents", "PT15M", List.of("analytics-ro"), "minter-task-analytics-ro")),
        row("allow: sub-second part is rounded down", RESEARCH, "demo", List.of("analytics-ro"), "PT90.7S",
            allow("demo-agents", "PT90S", List.of("analytics-ro"), "minter-task-analytics-ro")),
        row("allow: double-star identity", "spiffe://minter.local/team/a/b/c", "demo", List.of("analytics-ro"),
            null, allow("team-tree", "PT5M", List.of("analytics-ro"), "minter-task-analytics-ro")),
        row("allow: second rule when first denies purpose", BILLING, "billing:q3/eu", List.of("analytics-ro"),
            null, allow("billing-bot", "PT1H", List.of("analytics-ro"), "minter-task-analytics-ro")),
        row("allow: second rule when first denies ttl", BILLING, "demo", List.of("analytics-ro"), "PT30M",
            allow("billing-bot", "PT30M", List.of("analytics-ro"), "minter-task-analytics-ro")),
        row("deny: unknown identity", "spiffe://other.example/agents/research-bot", "demo",
            List.of("analytics-ro"), null,
            deny(Deny.DEFAULT_DENY, "no policy rule matches identity spiffe://other.example/agents/research-bot")),
        row("deny: star does not cross slash", AGENTS + "sub/bot", "demo", List.of("analytics-ro"), null,
            deny(Deny.DEFAULT_DENY, "no policy rule matches identity " + AGENTS + "sub/bot")),
        row("deny: role not granted", RESEARCH, "demo", List.of("analytics-ro", "billing-rw"), null,
            deny("demo-agents", "role 'billing-rw' is not granted to " + RESEARCH + " by rule 'demo-agents'")),
        row("deny: identity matching only a double-star rule", "spiffe://minter.local/team/x/y", "demo",
            List.of("vault-token"), null,
            deny("team-tree",
                "role 'vault-token' is not granted to spiffe://minter.local/team/x/y by rule 'team-tree'")),
        row("deny: ttl above max", RESEARCH, "demo", List.of("analytics-ro"), "PT2H",
            deny("demo-agents", "ttl PT2H exceeds the maximum PT15M of rule 'demo-agents'")),
        row("deny: ttl one second above max", RESEARCH, "demo", List.of("analytics-ro"), "PT15M1S",
            deny("demo-agents", "ttl PT15M1S exceeds the maximum PT15M of rule 'demo-agents'")),
        row("deny: purpose not allowed", RESEARCH, "deploy", List.of("analytics-ro"), null,
            deny("demo-agents", "purpose 'deploy' is not allowed by rule 'demo-agents' (allowed: report:*, demo)")),
        row("deny: purpose star does not cross slash", RESEARCH, "report:a/b", List.of("analytics-ro"), null,
            deny("demo-agents",
                "purpose 'report:a/b' is not allowed by rule 'demo-agents' (allowed: report:*, demo)")),
        row("deny: reason from first applying rule when none allows", BILLING, "billing:x", List.of("vault-token"),
            null, deny("demo-agents",
                "purpose 'billing:x' is not allowed by rule 'demo-agents' (allowed: report:*, demo)")),
        row("deny: unknown role", RESEARCH, "demo", List.of("analytics-ro", "nope"), null,
            deny(Deny.DEFAULT_DENY, "unknown role 'nope'")),
        row("deny: unknown role for unknown identity", "spiffe://x/y", "demo", List.of("nope"), null,
            deny(Deny.DEFAULT_DENY, "unknown role 'nope'")),
        row("deny: empty roles", RESEARCH, "demo", List.of(), null, deny(Deny.DEFAULT_DENY, "no roles requested")),
        row("deny: repeated role", RESEARCH, "demo", List.of("analytics-ro", "analytics-ro"), null,
            deny(Deny.DEFAULT_DENY, "role 'analytics-ro' is requested more than once")),
        row("deny: blank purpose", RESEARCH, " ", List.of("analytics-ro"), null,
            deny(Deny.DEFAULT_DENY, "no purpose declared")),
        row("deny: zero ttl", RESEARCH, "demo", List.of("analytics-ro"), "PT0S",
            deny(Deny.DEFAULT_DENY, "ttl PT0S (expected: > 0)")),
        row("deny: negative ttl", RESEARCH, "demo", List.of("analytics-ro"), "PT-1M",
            deny(Deny.DEFAULT_DENY, "ttl PT-1M (expected: > 0)")),
        row("deny: sub-second ttl (Vault would read 0 as its default)", RESEARCH, "demo", List.of("analytics-ro"),
            "PT0.5S", deny(Deny.DEFAULT_DENY, "ttl PT0.5S (expected: at least 1s)")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("decisions")
  void decide_table_expectedDecision(
      String name, String identity, String purpose, List<String> roles, String ttl, Decision expected) {
    PolicyRequest request = new PolicyRequest(
        id(identity), purpose, roles, Optional.ofNullable(ttl).map(Duration::parse));

    assertThat(POLICY.decide(request)).isEqualTo(expected);
  }

  @Test
  void decide_policyWithoutRules_deniesByDefault() {
    Policy empty = PolicyFile.parse(
        "roles:\n  r: {kind: database, path: database/creds/r, vault_policies: [p]}\nrules: []\n", "empty.yaml");

    Decision decision = empty.decide(new PolicyRequest(id(RESEARCH), "demo", List.of("r"), Optional.empty()));

    assertThat(decision).isEqualTo(deny(Deny.DEFAULT_DENY, "no policy rule matches identity " + RESEARCH));
  }

  @Test
  void role_declaredAndUnknown_lookedUpByName() {
    assertThat(POLICY.role("vault-token")).contains(new RoleSpec("vault-token", "vault-token", "",
        List.of("minter-task-vault-token", "agent-kv-read"), List.of("agent-kv-read")));
    assertThat(POLICY.role("analytics-ro")).map(RoleSpec::path).contains("database/creds/analytics-ro");
    assertThat(POLICY.role("nope")).isEmpty();
  }

  static Stream<Arguments> admins() {
    return Stream.of(
        Arguments.of("operator directly under operators/", "spiffe://minter.local/operators/alice", true),
        Arguments.of("star does not cross slash", "spiffe://minter.local/operators/team/alice", false),
        Arguments.of("agent is not an admin", RESEARCH, false),
        Arguments.of("other trust domain", "spiffe://evil.example/operators/alice", false),
        Arguments.of("prefix of the glob", "spiffe://minter.local/operators", false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("admins")
  void isAdmin_table_matchesAdminGlobs(String name, String identity, boolean expected) {
    assertThat(POLICY.isAdmin(id(identity))).isEqualTo(expected);
  }

  @Test
  void isAdmin_noAdminsKey_nobodyIsAdmin() {
    Policy noAdmins = PolicyFile.parse("roles: {}\nrules: []\n", "no-admins.yaml");

    assertThat(noAdmins.isAdmin(id("spiffe://minter.local/operators/alice"))).isFalse();
    assertThat(noAdmins.admins()).isEmpty();
  }

  private static Arguments row(
      String name, String identity, String purpose, List<String> roles, String ttl, Decision expected) {
    return Arguments.of(name, identity, purpose, roles, ttl, expected);
  }

  private static Decision allow(String rule, String ttl, List<String> roles, String... policies) {
    List<RoleSpec> specs = roles.stream().map(r -> POLICY.role(r).orElseThrow()).toList();
    return new Allow(new Grant(rule, specs, Duration.parse(ttl), List.of(policies)));
  }

  private static Decision deny(String rule, String reason) {
    return new Deny(rule, reason);
  }

  private static WorkloadIdentity id(String spiffeId) {
    return new WorkloadIdentity(spiffeId, "x509_svid", Map.of());
  }
}
