package dev.minter.tls;

import java.io.IOException;

/**
 * PEM content that cannot be used: not PEM, no certificate where one was expected, an encrypted or unsupported
 * key. The message names the problem and the source, never the content (it may be a private key).
 */
public final class PemException extends IOException {
  private static final long serialVersionUID = 1L;

  public PemException(String message) {
    super(message);
  }

  public PemException(String message, Throwable cause) {
    super(message, cause);
  }
}
