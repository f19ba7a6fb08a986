package dev.minter.attest.bundle;

import java.io.IOException;

/**
 * A trust document (SPIFFE bundle, JWKS, OIDC discovery document, PEM key file) that must not be used: malformed,
 * over a size bound, or carrying something a trust source may never hold (private or symmetric keys). Messages name
 * the offending element, never the document itself.
 */
public final class BundleFormatException extends IOException {
  public BundleFormatException(String message) {
    super(message);
  }

  public BundleFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
