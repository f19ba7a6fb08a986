package dev.minter.ledger;

/** The ledger could not be read or written. Messages name the operation and the task, never a secret. */
public final class LedgerException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public LedgerException(String message) {
    super(message);
  }

  public LedgerException(String message, Throwable cause) {
    super(message, cause);
  }
}
