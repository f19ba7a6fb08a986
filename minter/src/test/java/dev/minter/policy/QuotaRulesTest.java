package dev.minter.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minter.attest.WorkloadIdentity;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The policy file's {@code quotas} section: strict parsing, and which limits apply to whom. */
class QuotaRulesTest {
  private static final String BASE =
      "roles:\n  r: {kind: database, path: database/creds/r, vault_policies: [p]}\nrules: []\n";
  private static final WorkloadIdentity BOT =
      new WorkloadIdentity("spiffe://corp.example/agents/bot", "x509_svid", Map.of());
  private static final WorkloadIdentity DEEP_BOT =
      new WorkloadIdentity("spiffe://corp.example/agents/team/bot", "x509_svid", Map.of());

  private static Policy policy(String quotas) {
    return PolicyFile.parse(BASE + "quotas:\n" + quotas, "q.yaml");
  }

  /** One entry with {@code body} inside the braces. */
  private static String entry(String body) {
    return "  - {" + body + "}\n";
  }

  static Stream<Arguments> invalidSections() {
    String agents = "agents: ['spiffe://x/*'], ";
    return Stream.of(
        // name, quotas section, expected message
        Arguments.of("not a list", "  agents: [x]\n", "q.yaml: quotas: {\"agents\":[\"x\"]} (expected: a list)"),
        Arguments.of("entry not a mapping", "  - x\n", "q.yaml: quotas[0]: x (expected: a mapping)"),
        Arguments.of("unknown key (typo)", entry(agents + "max_concurent_tasks: 5"),
            "q.yaml: quotas[0]: unknown key 'max_concurent_tasks' (expected one of: agents, owners,"
                + " max_concurrent_tasks, max_mints_per_minute, max_ttl, max_delegation_depth, max_fan_out)"),
        Arguments.of("neither agents nor owners", entry("max_concurrent_tasks: 5"),
            "q.yaml: quotas[0]: neither agents nor owners (expected: exactly one of agents (counted per agent)"
                + " or owners (counted over the owner's agents))"),
        Arguments.of("both agents and owners", entry(agents + "owners: [t], max_concurrent_tasks: 5"),
            "q.yaml: quotas[0]: both agents and owners (expected: exactly one of agents (counted per agent)"
                + " or owners (counted over the owner's agents))"),
        Arguments.of("empty agents", entry("agents: [], max_concurrent_tasks: 5"),
            "q.yaml: quotas[0].agents: [] (expected: a non-empty list)"),
        Arguments.of("blank owner", entry("owners: [''], max_concurrent_tasks: 5"),
            "q.yaml: quotas[0].owners[0]: \"\" (expected: a non-empty string)"),
        Arguments.of("no limit at all", entry(agents.substring(0, agents.length() - 2)),
            "q.yaml: quotas[0]: no limit (expected: at least one of max_concurrent_tasks, max_mints_per_minute,"
                + " max_ttl, max_delegation_depth, max_fan_out)"),
        Arguments.of("zero", entry(agents + "max_concurrent_tasks: 0"),
            "q.yaml: quotas[0].max_concurrent_tasks: 0 (expected: a whole number from 1 to 1000000)"),
        Arguments.of("negative", entry(agents + "max_mints_per_minute: -1"),
            "q.yaml: quotas[0].max_mints_per_minute: -1 (expected: a whole number from 1 to 1000000)"),
        Arguments.of("fraction", entry(agents + "max_mints_per_minute: 2.5"),
            "q.yaml: quotas[0].max_mints_per_minute: 2.5 (expected: a whole number from 1 to 1000000)"),
        Arguments.of("quoted number", entry(agents + "max_fan_out: '3'"),
            "q.yaml: quotas[0].max_fan_out: 3 (expected: a whole number from 1 to 1000000, unquoted)"),
        Arguments.of("boolean", entry(agents + "max_fan_out: true"),
            "q.yaml: quotas[0].max_fan_out: true (expected: a whole number from 1 to 1000000)"),
        Arguments.of("beyond int", entry(agents + "max_concurrent_tasks: 99999999999"),
            "q.yaml: quotas[0].max_concurrent_tasks: 99999999999 (expected: a whole number from 1 to 1000000)"),
        Arguments.of("depth too deep", entry(agents + "max_delegation_depth: 65"),
            "q.yaml: quotas[0].max_delegation_depth: 65 (expected: a whole number from 1 to 64)"),
        Arguments.of("ttl not a duration", entry(agents + "max_ttl: soon"),
            "q.yaml: quotas[0].max_ttl: soon (expected: a duration such as 90s, 15m, 1h30m or PT15M)"),
        Arguments.of("ttl a bare number", entry(agents + "max_ttl: 60"),
            "q.yaml: quotas[0].max_ttl: 60 (expected: a duration such as 90s, 15m, 1h30m or PT15M)"),
        Arguments.of("ttl zero", entry(agents + "max_ttl: 0s"), "q.yaml: quotas[0].max_ttl: 0s (expected: > 0)"),
        Arguments.of("ttl over 24h", entry(agents + "max_ttl: 25h"),
            "q.yaml: quotas[0].max_ttl: 25h (expected: <= 24h)"),
        Arguments.of("ttl fraction of a second", entry(agents + "max_ttl: PT1.5S"),
            "q.yaml: quotas[0].max_ttl: PT1.5S (expected: whole seconds)"),
        Arguments.of("second entry named in error", entry(agents + "max_ttl: 1m") + entry("owners: [t]"),
            "q.yaml: quotas[1]: no limit (expected: at least one of max_concurrent_tasks, max_mints_per_minute,"
                + " max_ttl, max_delegation_depth, max_fan_out)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidSections")
  void parse_invalidQuotas_isRefusedNamingFileAndPath(String name, String quotas, String message) {
    assertThatThrownBy(() -> policy(quotas)).isInstanceOf(PolicyException.class).hasMessage(message);
  }

  @Test
  void quotas_noSection_isNone() {
    assertThat(PolicyFile.parse(BASE, "q.yaml").quotas(BOT, Optional.of("team"))).isEqualTo(Quotas.NONE);
  }

  @Test
  void quotas_everyLimitParsed_perAgentAndPerOwnerKeptApart() {
    Policy policy = policy(
        entry("agents: ['spiffe://corp.example/agents/*'], max_concurrent_tasks: 5, max_mints_per_minute: 30,"
            + " max_ttl: 1h, max_delegation_depth: 2, max_fan_out: 4")
            + entry("owners: ['team-data@corp.example'], max_concurrent_tasks: 20, max_mints_per_minute: 100"));

    Quotas quotas = policy.quotas(BOT, Optional.of("team-data@corp.example"));

    assertThat(quotas.perAgent()).isEqualTo(new Quotas.Limits(OptionalInt.of(5), OptionalInt.of(30),
        Optional.of(Duration.ofHours(1)), OptionalInt.of(2), OptionalInt.of(4)));
    assertThat(quotas.perOwner()).isEqualTo(new Quotas.Limits(OptionalInt.of(20), OptionalInt.of(100),
        Optional.empty(), OptionalInt.empty(), OptionalInt.empty()));
  }

  @Test
  void quotas_severalEntriesMatch_tightestOfEachLimitWins() {
    Policy policy = policy(
        entry("agents: ['spiffe://corp.example/**'], max_concurrent_tasks: 3, max_ttl: 2h")
            + entry("agents: ['spiffe://corp.example/agents/*'], max_concurrent_tasks: 10, max_ttl: 30m,"
                + " max_fan_out: 2")
            + entry("owners: ['team-*'], max_mints_per_minute: 50")
            + entry("owners: ['team-data'], max_mints_per_minute: 80, max_concurrent_tasks: 7"));

    Quotas quotas = policy.quotas(BOT, Optional.of("team-data"));

    assertThat(quotas.perAgent()).isEqualTo(new Quotas.Limits(OptionalInt.of(3), OptionalInt.empty(),
        Optional.of(Duration.ofMinutes(30)), OptionalInt.empty(), OptionalInt.of(2)));
    assertThat(quotas.perOwner()).isEqualTo(new Quotas.Limits(OptionalInt.of(7), OptionalInt.of(50),
        Optional.empty(), OptionalInt.empty(), OptionalInt.empty()));
  }

  @Test
  void quotas_globsMatchLikeRules_starStopsAtSlash() {
    Policy policy = policy(entry("agents: ['spiffe://corp.example/agents/*'], max_concurrent_tasks: 1"));

    assertThat(policy.quotas(BOT, Optional.empty()).perAgent().maxConcurrentTasks()).hasValue(1);
    assertThat(policy.quotas(DEEP_BOT, Optional.empty())).isEqualTo(Quotas.NONE);
  }

  @Test
  void quotas_ownerEntries_applyOnlyToAgentsWithThatOwner() {
    Policy policy = policy(entry("owners: ['team-data'], max_concurrent_tasks: 2"));

    assertThat(policy.quotas(BOT, Optional.of("team-data")).perOwner().maxConcurrentTasks()).hasValue(2);
    assertThat(policy.quotas(BOT, Optional.of("team-web"))).isEqualTo(Quotas.NONE);
    assertThat(policy.quotas(BOT, Optional.empty())).isEqualTo(Quotas.NONE);
    assertThat(policy.quotas(BOT, Optional.of(""))).isEqualTo(Quotas.NONE);
  }

  @Test
  void quotas_emptyList_isNone() {
    assertThat(PolicyFile.parse(BASE + "quotas: []\n", "q.yaml").quotas(BOT, Optional.empty()))
        .isEqualTo(Quotas.NONE);
  }
}
