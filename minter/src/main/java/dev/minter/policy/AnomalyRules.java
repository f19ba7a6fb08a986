package dev.minter.policy;

/**
 * The policy file's {@code anomalies} section: what each kind of anomaly means ({@link AnomalyAction}).
 *
 * <p>Placeholder until anomaly detection lands: an absent section means every anomaly only alerts.
 */
final class AnomalyRules {
  static final AnomalyRules NONE = new AnomalyRules();

  private AnomalyRules() {}

  static AnomalyRules parse(YamlNode node) {
    if (node.isMissing()) {
      return NONE;
    }
    throw node.fail("no anomalies section (anomaly actions are not supported by this build)");
  }

  AnomalyAction action(String kind) {
    return AnomalyAction.ALERT;
  }
}
