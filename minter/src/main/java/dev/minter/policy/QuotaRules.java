package dev.minter.policy;

import dev.minter.attest.WorkloadIdentity;
import java.util.Optional;

/**
 * The policy file's {@code quotas} section: which limits apply to which agents and owners.
 *
 * <p>Placeholder until quotas land: an absent section means no limits; a present one is refused rather than
 * silently ignored.
 */
final class QuotaRules {
  static final QuotaRules NONE = new QuotaRules();

  private QuotaRules() {}

  static QuotaRules parse(YamlNode node) {
    if (node.isMissing()) {
      return NONE;
    }
    throw node.fail("no quotas section (quotas are not supported by this build)");
  }

  Quotas forAgent(WorkloadIdentity identity, Optional<String> owner) {
    return Quotas.NONE;
  }
}
