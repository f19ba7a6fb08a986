package dev.minter.audit;

/** An audit record could not be written durably. */
public final class AuditWriteException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public AuditWriteException(String message, Throwable cause) {
    super(message, cause);
  }
}
