package dev.minter.vault;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A credential fresh from Vault, with what it takes to revoke it.
 *
 * @param kind the engine kind that minted it
 * @param leaseId Vault's lease id (for {@link LeaseType#TOKEN}: the token accessor)
 * @param leaseType how to revoke it
 * @param expiresAt when it stops working at the latest
 * @param credential the credential itself
 */
public record MintedCredential(
    String kind, String leaseId, LeaseType leaseType, Instant expiresAt, Credential credential) {
  public MintedCredential {
    requireNonNull(kind, "kind");
    requireNonNull(leaseId, "leaseId");
    requireNonNull(leaseType, "leaseType");
    requireNonNull(expiresAt, "expiresAt");
    requireNonNull(credential, "credential");
  }
}
