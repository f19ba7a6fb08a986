package dev.minter.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AnomalyRulesTest {
  private static final String BASE =
      "roles:\n  r: {kind: database, path: database/creds/r, vault_policies: [p]}\nrules: []\n";

  private static Policy parse(String anomalies) {
    return PolicyFile.parse(BASE + "anomalies:\n" + anomalies, "policy.yaml");
  }

  @Test
  void parse_noSection_everyKindAlertsWithDefaults() {
    Policy policy = PolicyFile.parse(BASE, "policy.yaml");

    assertThat(AnomalySettings.KINDS).allSatisfy(k -> assertThat(policy.onAnomaly(k)).isEqualTo(AnomalyAction.ALERT));
    assertThat(policy.anomalySettings()).isEqualTo(AnomalySettings.DEFAULTS);
  }

  @Test
  void parse_bareActionsAndMappings_givesActionsAndTunables() {
    Policy policy =
        parse(
            """
              mint_rate: {action: deny, factor: 4.5, floor_per_minute: 20, half_life: 30m, warmup: 0s}
              new_role: require_delegation
              new_purpose: {learning: 1h, learning_events: 2}
              unusual_hour: {action: alert, min_share: 0.05, half_life: 168h, warmup: 24h, min_events: 10}
              attestation_failures: {threshold: 3, window: 5m}
              delegation_fan_out: {action: deny, factor: 2, floor: 3, warmup_tasks: 1}
            """);

    assertThat(policy.onAnomaly("mint_rate")).isEqualTo(AnomalyAction.DENY);
    assertThat(policy.onAnomaly("new_role")).isEqualTo(AnomalyAction.REQUIRE_DELEGATION);
    assertThat(policy.onAnomaly("new_purpose")).as("mapping without action").isEqualTo(AnomalyAction.ALERT);
    assertThat(policy.onAnomaly("delegation_fan_out")).isEqualTo(AnomalyAction.DENY);
    AnomalySettings s = policy.anomalySettings();
    assertThat(s.mintRate())
        .isEqualTo(new AnomalySettings.MintRate(4.5, 20, Duration.ofMinutes(30), Duration.ZERO));
    assertThat(s.newRole()).isEqualTo(AnomalySettings.Learning.DEFAULTS);
    assertThat(s.newPurpose()).isEqualTo(new AnomalySettings.Learning(Duration.ofHours(1), 2));
    assertThat(s.unusualHour())
        .isEqualTo(new AnomalySettings.Hours(0.05, Duration.ofDays(7), Duration.ofHours(24), 10));
    assertThat(s.attestationFailures()).isEqualTo(new AnomalySettings.Failures(3, Duration.ofMinutes(5)));
    assertThat(s.delegationFanOut()).isEqualTo(new AnomalySettings.FanOut(2, 3, 1));
  }

  static Stream<Arguments> invalidSections() {
    return Stream.of(
        Arguments.of("unknown kind (typo)", "  mint_rates: deny\n",
            "policy.yaml: anomalies: unknown key 'mint_rates' (expected one of: mint_rate, new_role, new_purpose,"
                + " unusual_hour, attestation_failures, delegation_fan_out)"),
        Arguments.of("unknown action", "  new_role: block\n",
            "policy.yaml: anomalies.new_role: block (expected: alert, deny or require_delegation)"),
        Arguments.of("action not a string", "  new_role: true\n",
            "policy.yaml: anomalies.new_role: true (expected: alert, deny or require_delegation)"),
        Arguments.of("unknown tunable (typo)", "  mint_rate: {action: deny, floor: 3}\n",
            "policy.yaml: anomalies.mint_rate: unknown key 'floor'"
                + " (expected one of: action, factor, floor_per_minute, half_life, warmup)"),
        Arguments.of("tunable of another kind", "  new_role: {window: 1m}\n",
            "policy.yaml: anomalies.new_role: unknown key 'window' (expected one of: action, learning, learning_events)"),
        Arguments.of("factor not above 1", "  mint_rate: {factor: 1}\n",
            "policy.yaml: anomalies.mint_rate.factor: 1 (expected: a number > 1)"),
        Arguments.of("number quoted", "  mint_rate: {floor_per_minute: '10'}\n",
            "policy.yaml: anomalies.mint_rate.floor_per_minute: 10 (expected: a number > 0)"),
        Arguments.of("share out of range", "  unusual_hour: {min_share: 1.5}\n",
            "policy.yaml: anomalies.unusual_hour.min_share: 1.5 (expected: a number > 0 and < 1)"),
        Arguments.of("fractional count", "  attestation_failures: {threshold: 2.5}\n",
            "policy.yaml: anomalies.attestation_failures.threshold: 2.5 (expected: a whole number >= 1)"),
        Arguments.of("negative count", "  new_purpose: {learning_events: -1}\n",
            "policy.yaml: anomalies.new_purpose.learning_events: -1 (expected: a whole number >= 0)"),
        Arguments.of("bad duration", "  mint_rate: {half_life: soon}\n",
            "policy.yaml: anomalies.mint_rate.half_life: soon (expected: a duration > 0 such as 90s, 15m, 1h or PT24H)"),
        Arguments.of("zero window", "  attestation_failures: {window: 0s}\n",
            "policy.yaml: anomalies.attestation_failures.window: 0s"
                + " (expected: a duration > 0 such as 90s, 15m, 1h or PT24H)"),
        Arguments.of("section not a mapping", "  - mint_rate\n",
            "policy.yaml: anomalies: [\"mint_rate\"] (expected: a mapping)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidSections")
  void parse_invalidSection_isRejectedNamingFileAndPath(String name, String section, String message) {
    assertThatThrownBy(() -> parse(section)).isInstanceOf(PolicyException.class).hasMessage(message);
  }
}
