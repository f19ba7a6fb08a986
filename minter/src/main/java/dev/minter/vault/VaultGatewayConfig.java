package dev.minter.vault;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * How {@link VaultGateway} reaches OpenBao/Vault.
 *
 * @param address the server, e.g. {@code https://vault.internal:8200} (no trailing {@code /v1})
 * @param minterToken Minter's own (narrow, periodic) token; asked for on every call so a rotated token is picked up
 * @param tokenRole the token role task tokens are created from, e.g. {@code minter-task}
 * @param requestTimeout how long one request (connect + answer) may take before Vault counts as unavailable
 * @param sslContext the trust (and client key, for mTLS) for an {@code https} address; empty: the JDK default
 */
public record VaultGatewayConfig(
    URI address,
    Supplier<Secret> minterToken,
    String tokenRole,
    Duration requestTimeout,
    Optional<SSLContext> sslContext) {

  public VaultGatewayConfig {
    requireNonNull(address, "address");
    requireNonNull(minterToken, "minterToken");
    requireNonNull(tokenRole, "tokenRole");
    requireNonNull(requestTimeout, "requestTimeout");
    requireNonNull(sslContext, "sslContext");
    String scheme = address.getScheme();
    if (!"http".equals(scheme) && !"https".equals(scheme) || address.getHost() == null) {
      throw new IllegalArgumentException("address: " + address + " (expected: http(s)://host:port)");
    }
    if (tokenRole.isBlank() || tokenRole.contains("/")) {
      throw new IllegalArgumentException("tokenRole: '" + tokenRole + "' (expected: a token role name)");
    }
    if (requestTimeout.compareTo(Duration.ofMillis(100)) < 0) {
      throw new IllegalArgumentException("requestTimeout: " + requestTimeout + " (expected: >= PT0.1S)");
    }
    String text = address.toString();
    address = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
  }

  /** A config whose Minter token is read from {@code tokenFile} (0600, written by bootstrap.sh) on each call. */
  public static VaultGatewayConfig withTokenFile(
      URI address, Path tokenFile, String tokenRole, Duration requestTimeout) {
    return new VaultGatewayConfig(
        address, tokenFile(tokenFile), tokenRole, requestTimeout, Optional.empty());
  }

  /** Reads a token file each time it is asked; the message on failure names the file, never its content. */
  public static Supplier<Secret> tokenFile(Path file) {
    requireNonNull(file, "file");
    return () -> {
      try {
        String token = Files.readString(file).strip();
        if (token.isEmpty()) {
          throw new IllegalStateException("Minter token file " + file + " is empty");
        }
        return Secret.of(token);
      } catch (IOException e) {
        throw new UncheckedIOException("Minter token file " + file + " cannot be read", e);
      }
    };
  }
}
