package dev.minter.policy;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

/**
 * One rule of the policy file: who ({@code identities}) may have which {@code roles}, for which {@code purposes},
 * for at most {@code maxTtl}. A rule only ever allows; anything no rule allows is denied.
 *
 * @param id the rule's unique id, named in every decision it makes
 * @param identities globs over {@link dev.minter.attest.WorkloadIdentity#id()}; the rule applies if one matches
 * @param roles the role names this rule grants
 * @param purposes globs over the declared purpose
 * @param maxTtl the longest TTL this rule grants, and the TTL granted when none is asked for
 * @param conditions the {@code when:} conditions, all of which must hold for every requested role; empty in v0
 */
public record Rule(
    String id,
    List<Glob> identities,
    List<String> roles,
    List<Glob> purposes,
    Duration maxTtl,
    List<Condition> conditions) {
  public Rule {
    requireNonNull(id, "id");
    identities = List.copyOf(requireNonNull(identities, "identities"));
    roles = List.copyOf(requireNonNull(roles, "roles"));
    purposes = List.copyOf(requireNonNull(purposes, "purposes"));
    requireNonNull(maxTtl, "maxTtl");
    if (maxTtl.isNegative() || maxTtl.isZero()) {
      throw new IllegalArgumentException("maxTtl: " + maxTtl + " (expected: > 0)");
    }
    conditions = List.copyOf(requireNonNull(conditions, "conditions"));
  }

  /** A rule without conditions (policy v0). */
  public Rule(String id, List<Glob> identities, List<String> roles, List<Glob> purposes, Duration maxTtl) {
    this(id, identities, roles, purposes, maxTtl, List.of());
  }

  /** Whether this rule applies to the identity {@code id}. */
  public boolean appliesTo(String identityId) {
    return identities.stream().anyMatch(g -> g.matches(identityId));
  }

  /** Whether {@code purpose} matches one of this rule's purpose globs. */
  public boolean allowsPurpose(String purpose) {
    return purposes.stream().anyMatch(g -> g.matches(purpose));
  }
}
