package dev.minter.vault;

/** How a minted credential is revoked in Vault. */
public enum LeaseType {
  /** A secrets-engine lease: {@code sys/leases/revoke} with {@code sync=true}. */
  LEASE,
  /** A token: {@code auth/token/revoke-accessor}; the lease id is the token's accessor. */
  TOKEN,
  /**
   * Cannot be revoked early (a PKI certificate without a lease, an SSH certificate): its TTL, capped at the task's,
   * is the only control. The lease id is the certificate's serial number.
   */
  NONE
}
