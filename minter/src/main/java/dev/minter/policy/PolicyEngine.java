package dev.minter.policy;

import dev.minter.attest.WorkloadIdentity;
import java.util.Optional;

/** Decides what an attested caller may have. Default deny. Pure: no I/O at decision time. */
public interface PolicyEngine {

  /** Decides a request; never throws for a request the policy does not allow (that is a Deny). */
  Decision decide(PolicyRequest request);

  /** Whether {@code identity} may use the admin API (the policy file's {@code admins} globs). */
  boolean isAdmin(WorkloadIdentity identity);

  /** Whether agents need a registered owner before they may begin tasks (the policy file's {@code require_owner}). */
  default boolean requiresOwner() {
    return false;
  }

  /** The role called {@code name}, if the policy declares it. */
  Optional<RoleSpec> role(String name);

  /** The quotas that apply to {@code identity}, whose registered owner is {@code owner} (empty: none registered). */
  default Quotas quotas(WorkloadIdentity identity, Optional<String> owner) {
    return Quotas.NONE;
  }

  /** What an anomaly of {@code kind} (e.g. {@code mint_rate}) means under this policy; unlisted kinds only alert. */
  default AnomalyAction onAnomaly(String kind) {
    return AnomalyAction.ALERT;
  }

  /** The anomaly detector's tunables under this policy (the {@code anomalies} section; defaults if absent). */
  default AnomalySettings anomalySettings() {
    return AnomalySettings.DEFAULTS;
  }

  /** Lower-case hex SHA-256 of the policy's source, named in audit records of reloads. */
  default String sha256() {
    return "";
  }
}
