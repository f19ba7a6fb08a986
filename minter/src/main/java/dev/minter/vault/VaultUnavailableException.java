package dev.minter.vault;

/** Vault/OpenBao could not be reached or answered 5xx. Callers may retry later. */
public final class VaultUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public VaultUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
