package dev.minter.posture;

import dev.minter.attest.WorkloadIdentity;
import java.util.Map;

/**
 * Where the policy's {@code posture.*} signals come from (e.g. "is this host patched", "is the EDR healthy").
 * Called by the task code before each decision, never by the policy engine itself.
 *
 * <p>Never throws: a source that cannot answer returns its configured fail-closed default, so a conditions that
 * reads posture denies rather than allows when the source is down.
 */
public interface PostureSource {
  /** No posture source configured: no signals. */
  PostureSource NONE = identity -> Map.of();

  /** The signals for {@code identity} now; values are String, Boolean, Long, Double, List or Map. */
  Map<String, Object> signals(WorkloadIdentity identity);
}
