package dev.minter.policy;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A credential role as the policy file declares it, with what conditions may read about it ({@code resource.*}) and
 * what it demands of every request for it, whichever rule grants it ({@link Requirements}).
 *
 * @param name the role name agents ask for, e.g. {@code analytics-ro}
 * @param kind the credential engine kind, e.g. {@code database}, {@code vault-token}
 * @param path the Vault path the credential is read from (e.g. {@code database/creds/analytics-ro}); empty for
 *     kinds that have none
 * @param vaultPolicies the Vault policies a task token needs for this role
 * @param tokenPolicies for {@code vault-token}: the policies of the child token handed to the agent (a subset of
 *     {@code vaultPolicies}); empty otherwise
 * @param sensitivity one of {@link #SENSITIVITIES}; {@code low} when not declared
 * @param owner who answers for the resource behind the role (free text); empty when not declared
 * @param classification the data classification of the resource (free text, e.g. {@code pii}); empty when not declared
 * @param requires what a request for this role must bring, whoever grants it
 */
public record RoleSpec(
    String name,
    String kind,
    String path,
    List<String> vaultPolicies,
    List<String> tokenPolicies,
    String sensitivity,
    String owner,
    String classification,
    Requirements requires) {
  /** The sensitivities a role may declare, least sensitive first. */
  public static final List<String> SENSITIVITIES = List.of("low", "medium", "high", "critical");

  public RoleSpec {
    requireNonNull(name, "name");
    requireNonNull(kind, "kind");
    requireNonNull(path, "path");
    vaultPolicies = List.copyOf(requireNonNull(vaultPolicies, "vaultPolicies"));
    tokenPolicies = List.copyOf(requireNonNull(tokenPolicies, "tokenPolicies"));
    requireNonNull(sensitivity, "sensitivity");
    if (!SENSITIVITIES.contains(sensitivity)) {
      throw new IllegalArgumentException("sensitivity: " + sensitivity + " (expected one of " + SENSITIVITIES + ")");
    }
    requireNonNull(owner, "owner");
    requireNonNull(classification, "classification");
    requireNonNull(requires, "requires");
  }

  /** A role with no resource attributes and no requirements (policy v0). */
  public RoleSpec(String name, String kind, String path, List<String> vaultPolicies, List<String> tokenPolicies) {
    this(name, kind, path, vaultPolicies, tokenPolicies, "low", "", "", Requirements.NONE);
  }

  /**
   * What a role demands of every request for it. The engine checks these for every rule, because a sensitive
   * role must not become less protected just because someone wrote a broad rule that grants it.
   *
   * @param humanDelegation whether a human must have delegated the task (a delegation token, directly or up the chain)
   * @param maxTtl the longest TTL the role may be held for, below any rule's maximum
   * @param purposes the exact purposes the role may be used for (a closed list, not globs); empty means any
   */
  public record Requirements(boolean humanDelegation, Optional<Duration> maxTtl, List<String> purposes) {
    public static final Requirements NONE = new Requirements(false, Optional.empty(), List.of());

    public Requirements {
      requireNonNull(maxTtl, "maxTtl");
      purposes = List.copyOf(requireNonNull(purposes, "purposes"));
    }

    /** Whether the role demands anything at all. */
    public boolean any() {
      return humanDelegation || maxTtl.isPresent() || !purposes.isEmpty();
    }
  }
}
