package dev.minter.vault;

/** How a minted credential is revoked in Vault. */
public enum LeaseType {
  /** A secrets-engine lease: {@code sys/leases/revoke} with {@code sync=true}. */
  LEASE,
  /** A token: {@code auth/token/revoke-accessor}; the lease id is the token's accessor. */
  TOKEN
}
