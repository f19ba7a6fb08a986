package dev.minter.vault;

/** What Vault said when asked to revoke a lease or token. */
public enum RevocationOutcome {
  /** Vault confirmed it revoked it just now. */
  REVOKED,
  /** It was already gone (expired, or revoked before). */
  ALREADY_GONE
}
