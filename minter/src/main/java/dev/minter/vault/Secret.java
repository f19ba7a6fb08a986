package dev.minter.vault;

import static java.util.Objects.requireNonNull;

import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;

/**
 * Secret material (a password, a token). Unprintable: {@link #toString()} is redacted, so a secret that slips into
 * a log line, an exception or an audit record shows as {@code [redacted]}. Read it with {@link #reveal()} only where
 * it leaves Minter (the gRPC response, the Vault request header, the ledger's cipher).
 */
public final class Secret {
  private final String value;

  private Secret(String value) {
    this.value = requireNonNull(value, "value");
  }

  public static Secret of(String value) {
    return new Secret(value);
  }

  public String reveal() {
    return value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secret other
        && MessageDigest.isEqual(
            value.getBytes(StandardCharsets.UTF_8), other.value.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public int hashCode() {
    return 0; // deliberately constant: a hash of a secret leaks information about it
  }

  @Override
  public String toString() {
    return "[redacted]";
  }
}
