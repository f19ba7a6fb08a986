package dev.minter.task;

import static java.util.Objects.requireNonNull;

import dev.minter.vault.Secret;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A grant {@code Delegate} issued: what the delegating agent is told.
 *
 * @param grant the signed, single-use grant (compact JWS); a secret, for the sub-agent only
 * @param grantId its id, as the audit log records it (not a secret)
 * @param expiresAt it must be redeemed before this instant (never after the parent's expiry)
 * @param roles the delegated roles
 * @param purposes the purposes the child may declare
 * @param maxTtl the most a child task may be granted
 */
public record DelegatedGrant(
    Secret grant, String grantId, Instant expiresAt, List<String> roles, List<String> purposes, Duration maxTtl) {
  public DelegatedGrant {
    requireNonNull(grant, "grant");
    requireNonNull(grantId, "grantId");
    requireNonNull(expiresAt, "expiresAt");
    roles = List.copyOf(requireNonNull(roles, "roles"));
    purposes = List.copyOf(requireNonNull(purposes, "purposes"));
    requireNonNull(maxTtl, "maxTtl");
  }
}
