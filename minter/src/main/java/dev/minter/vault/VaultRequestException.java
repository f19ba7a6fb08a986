package dev.minter.vault;

/** Vault/OpenBao answered a request with a 4xx: permission denied, unknown path, bad parameters. */
public final class VaultRequestException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;

  public VaultRequestException(int status, String message) {
    super(message);
    this.status = status;
  }

  public int status() {
    return status;
  }
}
