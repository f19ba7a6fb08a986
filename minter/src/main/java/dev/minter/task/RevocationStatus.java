package dev.minter.task;

/** What a receipt says of one credential or token. */
public enum RevocationStatus {
  /** Vault confirmed it revoked, synchronously. */
  REVOKED,
  /** It was already gone (expired or revoked before). */
  ALREADY_GONE,
  /** Vault could not confirm it: queued durably in the outbox and retried until done. */
  FAILED_QUEUED,
  /** It cannot be revoked early; it stops working at its expiry (never later than the task's). */
  EXPIRES_ONLY
}
