package dev.minter.ledger;

import static java.util.Objects.requireNonNull;

import dev.minter.delegation.GrantClaims;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A delegation grant as the ledger keeps it ({@code delegation_grants}): what {@code Delegate} handed to a sub-agent.
 * Nothing here is secret: the signed grant itself is never stored, only what it says, so the row can be compared
 * with the grant a sub-agent presents and marked used exactly once.
 *
 * @param grantId the grant's id (its JWS {@code jti})
 * @param parentTaskId the task that delegated
 * @param subAgent the identity that alone may redeem it
 * @param roles the delegated roles
 * @param purposes the purposes the child may declare (exact strings)
 * @param maxTtl the longest TTL the child may have
 * @param issuedAt when Delegate issued it
 * @param expiresAt when it can no longer be redeemed
 * @param redeemedAt when it was redeemed, if it was
 * @param childTaskId the child task opened with it, once known
 */
public record GrantRecord(
    String grantId,
    String parentTaskId,
    String subAgent,
    List<String> roles,
    List<String> purposes,
    Duration maxTtl,
    Instant issuedAt,
    Instant expiresAt,
    Optional<Instant> redeemedAt,
    Optional<String> childTaskId) {
  public GrantRecord {
    requireNonNull(grantId, "grantId");
    requireNonNull(parentTaskId, "parentTaskId");
    requireNonNull(subAgent, "subAgent");
    roles = List.copyOf(requireNonNull(roles, "roles"));
    purposes = List.copyOf(requireNonNull(purposes, "purposes"));
    requireNonNull(maxTtl, "maxTtl");
    requireNonNull(issuedAt, "issuedAt");
    requireNonNull(expiresAt, "expiresAt");
    requireNonNull(redeemedAt, "redeemedAt");
    requireNonNull(childTaskId, "childTaskId");
  }

  /** The row of a grant just issued with {@code claims}: not redeemed, no child yet. */
  public static GrantRecord issued(GrantClaims claims) {
    return new GrantRecord(claims.grantId(), claims.parentTaskId(), claims.subAgent(), claims.roles(),
        claims.purposes(), claims.maxTtl(), claims.issuedAt(), claims.expiresAt(), Optional.empty(), Optional.empty());
  }

  /** Whether this row records exactly what {@code claims} say (a presented grant must match Minter's record). */
  public boolean records(GrantClaims claims) {
    return grantId.equals(claims.grantId())
        && parentTaskId.equals(claims.parentTaskId())
        && subAgent.equals(claims.subAgent())
        && roles.equals(claims.roles())
        && purposes.equals(claims.purposes())
        && maxTtl.equals(claims.maxTtl())
        && issuedAt.equals(claims.issuedAt())
        && expiresAt.equals(claims.expiresAt());
  }
}
