package dev.minter.policy;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A credential role as the policy file declares it.
 *
 * @param name the role name agents ask for, e.g. {@code analytics-ro}
 * @param kind the credential engine kind, e.g. {@code database}, {@code vault-token}
 * @param path the Vault path the credential is read from (e.g. {@code database/creds/analytics-ro}); empty for
 *     kinds that have none
 * @param vaultPolicies the Vault policies a task token needs for this role
 * @param tokenPolicies for {@code vault-token}: the policies of the child token handed to the agent (a subset of
 *     {@code vaultPolicies}); empty otherwise
 */
public record RoleSpec(
    String name, String kind, String path, List<String> vaultPolicies, List<String> tokenPolicies) {
  public RoleSpec {
    requireNonNull(name, "name");
    requireNonNull(kind, "kind");
    requireNonNull(path, "path");
    vaultPolicies = List.copyOf(requireNonNull(vaultPolicies, "vaultPolicies"));
    tokenPolicies = List.copyOf(requireNonNull(tokenPolicies, "tokenPolicies"));
  }
}
