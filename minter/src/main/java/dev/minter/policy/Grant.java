package dev.minter.policy;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

/**
 * What an {@link Decision.Allow} permits; the minting code obeys these caps.
 *
 * @param rule the id of the rule that allowed it
 * @param roles the granted roles, in the order asked
 * @param ttl the granted TTL (never above the rule's maximum)
 * @param vaultPolicies the union of the roles' Vault policies, sorted and without duplicates
 */
public record Grant(String rule, List<RoleSpec> roles, Duration ttl, List<String> vaultPolicies) {
  public Grant {
    requireNonNull(rule, "rule");
    roles = List.copyOf(requireNonNull(roles, "roles"));
    requireNonNull(ttl, "ttl");
    vaultPolicies = List.copyOf(requireNonNull(vaultPolicies, "vaultPolicies"));
  }
}
