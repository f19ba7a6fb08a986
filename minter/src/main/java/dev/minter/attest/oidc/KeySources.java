package dev.minter.attest.oidc;

import dev.minter.attest.jwt.JwkSource;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;

/**
 * Builds the {@link JwkSource} an issuer's configuration names: a {@code keys_file} (JWKS, JSON map of PEM
 * certificates, or PEM certificates; re-read when it changes) or a {@code jwks_uri} (fetched, cached, refetched at
 * most every 30 s). Exactly one must be set.
 */
public final class KeySources {
  private KeySources() {}

  /**
   * @param keysFile a key file, or null
   * @param jwksUri a JWKS endpoint, or null; must be https (plain http only to a loopback address, for tests and
   *     sidecars), since keys fetched over plain HTTP could be swapped by anyone on the path
   * @throws IllegalArgumentException when neither or both are set, or the one set is unusable
   */
  public static JwkSource fromConfig(Path keysFile, URI jwksUri, HttpClient http, Clock clock) {
    if ((keysFile == null) == (jwksUri == null)) {
      throw new IllegalArgumentException("set exactly one of keys_file and jwks_uri");
    }
    if (keysFile != null) {
      return new FileJwkSource(keysFile, clock);
    }
    checkJwksUri(jwksUri);
    return new RemoteJwkSource(jwksUri, http, clock);
  }

  static void checkJwksUri(URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
    if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
      throw new IllegalArgumentException("jwks_uri: '" + uri + "' (expected: an https URL)");
    }
    if (scheme.equals("http") && !isLoopback(uri.getHost())) {
      throw new IllegalArgumentException(
          "jwks_uri: '" + uri + "' is plain http (expected: https; http is allowed only to a loopback address)");
    }
  }

  private static boolean isLoopback(String host) {
    if (host.equalsIgnoreCase("localhost")) {
      return true;
    }
    // Only literal addresses: resolving a name here would let DNS decide what counts as loopback.
    if (!host.matches("[0-9.]+|\\[[0-9a-fA-F:]+\\]")) {
      return false;
    }
    try {
      return InetAddress.getByName(host.replace("[", "").replace("]", "")).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
