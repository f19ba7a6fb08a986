package dev.minter.vault;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What OpenBao/Vault says about a live token, looked up by accessor. Holds no secret.
 *
 * @param accessor the token's accessor
 * @param policies its policies
 * @param metadata its metadata (task, agent, purpose)
 * @param ttl how long it has left
 * @param orphan whether it has no parent
 * @param renewable whether it may be renewed
 * @param type {@code service} or {@code batch}
 */
public record TokenLookup(
    String accessor,
    List<String> policies,
    Map<String, String> metadata,
    Duration ttl,
    boolean orphan,
    boolean renewable,
    String type) {
  public TokenLookup {
    requireNonNull(accessor, "accessor");
    policies = List.copyOf(requireNonNull(policies, "policies"));
    metadata = Map.copyOf(requireNonNull(metadata, "metadata"));
    requireNonNull(ttl, "ttl");
    requireNonNull(type, "type");
  }
}
