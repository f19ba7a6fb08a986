package dev.minter.config;

import java.time.Duration;

/**
 * How the server follows changes to its policy file ({@code policy_reload:} in the config). The file's folder is
 * watched for changes and, as a fallback for file systems that send no events (NFS, some container mounts), the
 * file's SHA-256 is compared every {@code interval}.
 *
 * @param enabled whether the policy file is watched at all (default true); when false the policy loaded at start-up
 *     stays in force until a restart or an explicit reload
 * @param interval how often the file is re-hashed when no change event arrives (default 2s)
 */
public record PolicyReloadSettings(Boolean enabled, Duration interval) {
  /** Reload on, every 2 seconds: what an absent {@code policy_reload:} section means. */
  public static final PolicyReloadSettings DEFAULT = new PolicyReloadSettings(null, null);

  public PolicyReloadSettings {
    enabled = enabled == null ? Boolean.TRUE : enabled;
    interval = interval == null ? Duration.ofSeconds(2) : interval;
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("policy_reload.interval: " + interval + " (expected: > 0)");
    }
  }
}
