package dev.minter.attest.oidc;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.minter.attest.jwt.JwkSource;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trusted keys fetched from an issuer's {@code jwks_uri} and cached. The endpoint is asked again when a token names
 * a key id the cache does not hold (the issuer rotated) or the cache is older than {@link #MAX_AGE} (the issuer may
 * have withdrawn a key) — but never more than once per {@link #MIN_INTERVAL}: the kid is caller-controlled, and a
 * stream of forged kids must not turn Minter into a request amplifier against the issuer or stall every call. A
 * failed fetch keeps the last good keys.
 */
final class RemoteJwkSource implements JwkSource {
  static final Duration MIN_INTERVAL = Duration.ofSeconds(30);
  static final Duration MAX_AGE = Duration.ofHours(1);
  static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final Logger log = LoggerFactory.getLogger(RemoteJwkSource.class);

  private final URI uri;
  private final HttpClient http;
  private final Clock clock;
  private volatile JWKSet keys = new JWKSet();
  private volatile Instant fetchedAt; // last successful fetch
  private volatile Instant attemptedAt; // last attempt, successful or not

  RemoteJwkSource(URI uri, HttpClient http, Clock clock) {
    this.uri = requireNonNull(uri, "uri");
    this.http = requireNonNull(http, "http");
    this.clock = requireNonNull(clock, "clock");
  }

  @Override
  public Optional<JWK> find(String kid) {
    Instant now = clock.instant();
    Optional<JWK> key = ValidKeys.find(keys, kid, now);
    boolean stale = fetchedAt == null || !fetchedAt.plus(MAX_AGE).isAfter(now);
    if ((key.isEmpty() || stale) && mayFetch(now)) {
      refresh();
      key = ValidKeys.find(keys, kid, clock.instant());
    }
    return key;
  }

  private boolean mayFetch(Instant now) {
    Instant last = attemptedAt;
    return last == null || !last.plus(MIN_INTERVAL).isAfter(now);
  }

  /** One fetch at a time; callers that arrive while it runs use what it leaves. */
  private synchronized void refresh() {
    Instant now = clock.instant();
    if (!mayFetch(now)) {
      return;
    }
    attemptedAt = now;
    try {
      keys = fetch();
      fetchedAt = now;
    } catch (IOException | IllegalArgumentException e) {
      log.warn("jwks_uri {}: fetch failed, keeping {} cached keys: {}", uri, keys.size(), e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private JWKSet fetch() throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Accept", "application/json").GET().build();
    HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream body = response.body()) {
      if (response.statusCode() != 200) {
        throw new IOException("HTTP " + response.statusCode());
      }
      byte[] bytes = body.readNBytes(KeySets.MAX_BYTES + 1);
      if (bytes.length > KeySets.MAX_BYTES) {
        throw new IOException("response is larger than " + KeySets.MAX_BYTES + " bytes");
      }
      return KeySets.parse(new String(bytes, StandardCharsets.UTF_8));
    }
  }
}
