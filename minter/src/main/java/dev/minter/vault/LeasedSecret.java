package dev.minter.vault;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Map;

/**
 * A secret read from Vault with its lease. {@code data} holds secret values: never log it.
 */
public record LeasedSecret(String leaseId, Duration leaseDuration, Map<String, Object> data) {
  public LeasedSecret {
    requireNonNull(leaseId, "leaseId");
    requireNonNull(leaseDuration, "leaseDuration");
    data = Map.copyOf(requireNonNull(data, "data"));
  }

  @Override
  public String toString() {
    return "LeasedSecret[leaseId=" + leaseId + ", leaseDuration=" + leaseDuration + ", data=" + data.keySet() + "]";
  }
}
