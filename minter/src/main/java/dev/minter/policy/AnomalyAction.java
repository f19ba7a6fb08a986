package dev.minter.policy;

/**
 * What an observed anomaly means, as the policy file's {@code anomalies} section says per kind (e.g.
 * {@code mint_rate: alert}). Every anomaly is audited as {@code anomaly.<kind>} whatever its action.
 */
public enum AnomalyAction {
  /** Record it and count it; the call goes on. */
  ALERT,
  /** Refuse the call (PERMISSION_DENIED, rule {@code anomaly.<kind>}). */
  DENY,
  /** Refuse the call unless a human delegated the task (its chain starts with a human). */
  REQUIRE_DELEGATION
}
