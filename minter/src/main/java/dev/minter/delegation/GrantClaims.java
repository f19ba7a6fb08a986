package dev.minter.delegation;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What a delegation grant says: the part of a parent task that {@code Delegate} handed to one sub-agent.
 *
 * @param grantId the grant's id ({@code jti})
 * @param parentTaskId the task that delegated
 * @param subAgent the identity that alone may redeem it ({@code sub})
 * @param roles the delegated roles
 * @param purposes the purposes the child may declare (exact strings, never globs)
 * @param maxTtl the longest TTL the child may have
 * @param issuedAt {@code iat}, whole seconds
 * @param expiresAt {@code exp}, whole seconds: the grant must be redeemed before it
 */
public record GrantClaims(
    String grantId,
    String parentTaskId,
    String subAgent,
    List<String> roles,
    List<String> purposes,
    Duration maxTtl,
    Instant issuedAt,
    Instant expiresAt) {
  public GrantClaims {
    requireNonNull(grantId, "grantId");
    requireNonNull(parentTaskId, "parentTaskId");
    requireNonNull(subAgent, "subAgent");
    roles = List.copyOf(requireNonNull(roles, "roles"));
    purposes = List.copyOf(requireNonNull(purposes, "purposes"));
    requireNonNull(maxTtl, "maxTtl");
    requireNonNull(issuedAt, "issuedAt");
    requireNonNull(expiresAt, "expiresAt");
    if (roles.isEmpty()) {
      throw new IllegalArgumentException("roles: [] (expected: at least one role)");
    }
    if (purposes.isEmpty()) {
      throw new IllegalArgumentException("purposes: [] (expected: at least one purpose)");
    }
    if (maxTtl.toSeconds() < 1) {
      throw new IllegalArgumentException("maxTtl: " + maxTtl + " (expected: >= PT1S)");
    }
    if (!expiresAt.isAfter(issuedAt)) {
      throw new IllegalArgumentException("expiresAt: " + expiresAt + " (expected: after issuedAt " + issuedAt + ")");
    }
  }
}
