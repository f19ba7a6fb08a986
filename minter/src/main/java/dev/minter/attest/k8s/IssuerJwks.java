package dev.minter.attest.k8s;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.JWK;
import dev.minter.attest.jwt.JwkSource;
import dev.minter.attest.jwt.TrustedKeys;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cluster's service-account signing keys found through OIDC discovery: {@code <issuer_url>/.well-known/
 * openid-configuration} names the {@code jwks_uri}, which holds the keys (the Kubernetes API server serves both when
 * service-account issuer discovery is on).
 *
 * <p>Keys are cached. A lookup refetches only when the {@code kid} is unknown or the cache is older than
 * {@link #MAX_AGE}, and never more than once per {@link #MIN_REFETCH}, whatever callers send: a stream of forged
 * tokens with random kids costs at most one fetch per 30 s. A failed fetch keeps the last good keys. Only https is
 * fetched, except from a loopback address (a local issuer, or tests).
 */
public final class IssuerJwks implements JwkSource {
  public static final Duration MIN_REFETCH = Duration.ofSeconds(30);
  public static final Duration MAX_AGE = Duration.ofHours(1);
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger log = LoggerFactory.getLogger(IssuerJwks.class);

  private final URI issuerUrl;
  private final String expectedIssuer;
  private final HttpClient http;
  private final Clock clock;
  private volatile Keys keys; // null until a fetch succeeds
  private Instant lastAttempt; // guarded by this

  /**
   * Fetches once now (a failure is logged; lookups retry later).
   *
   * @param issuerUrl where discovery starts (often the issuer itself)
   * @param expectedIssuer the {@code issuer} the discovery document must state
   */
  public IssuerJwks(URI issuerUrl, String expectedIssuer, HttpClient http, Clock clock) {
    this.issuerUrl = checkFetchable(requireNonNull(issuerUrl, "issuerUrl"), "issuer_url");
    this.expectedIssuer = requireNonNull(expectedIssuer, "expectedIssuer");
    this.http = requireNonNull(http, "http");
    this.clock = requireNonNull(clock, "clock");
    synchronized (this) {
      refetch(clock.instant());
    }
  }

  @Override
  public Optional<JWK> find(String kid) {
    Instant now = clock.instant();
    Keys current = keys;
    if (current != null && current.fetched().plus(MAX_AGE).isAfter(now) && current.byKid().containsKey(kid)) {
      return Optional.of(current.byKid().get(kid));
    }
    synchronized (this) {
      if (lastAttempt == null || !now.isBefore(lastAttempt.plus(MIN_REFETCH))) {
        refetch(now);
      }
      current = keys;
      return current == null ? Optional.empty() : Optional.ofNullable(current.byKid().get(kid));
    }
  }

  /** Must hold the lock. */
  private void refetch(Instant now) {
    lastAttempt = now;
    try {
      JsonNode discovery = JSON.readTree(get(discoveryUri()));
      String issuer = discovery.path("issuer").asText("");
      if (!expectedIssuer.equals(issuer)) {
        // OIDC Discovery 4.3: a document naming another issuer is not this issuer's, whoever serves it.
        throw new IOException("discovery document names issuer '" + issuer + "', expected '" + expectedIssuer + "'");
      }
      URI jwksUri = checkFetchable(URI.create(discovery.path("jwks_uri").asText("")), "jwks_uri");
      Map<String, JWK> byKid = TrustedKeys.parse(get(jwksUri), jwksUri.toString());
      keys = new Keys(byKid, now);
      log.info("service-account keys of {} fetched from {}: kids {}", expectedIssuer, jwksUri, byKid.keySet());
    } catch (IOException | ParseException | IllegalArgumentException e) {
      log.warn("service-account keys of {} could not be fetched ({}); {}", expectedIssuer, e.getMessage(),
          keys == null ? "no keys yet" : "keeping the last good keys");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private URI discoveryUri() {
    String base = issuerUrl.toString().replaceAll("/+$", "");
    return URI.create(base + "/.well-known/openid-configuration");
  }

  private String get(URI uri) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Accept", "application/json").GET().build();
    HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream body = response.body()) {
      if (response.statusCode() != 200) {
        throw new IOException(uri + " answered HTTP " + response.statusCode());
      }
      byte[] bytes = body.readNBytes(TrustedKeys.MAX_BYTES + 1);
      if (bytes.length > TrustedKeys.MAX_BYTES) {
        throw new IOException(uri + " sent more than " + TrustedKeys.MAX_BYTES + " bytes");
      }
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  /** https, or http to a loopback address; anything else could be read or altered on the way. */
  static URI checkFetchable(URI uri, String what) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
    if (uri.getHost() == null || !(scheme.equals("https") || (scheme.equals("http") && isLoopback(uri.getHost())))) {
      throw new IllegalArgumentException(what + ": '" + uri + "' (expected: an https URL, or http on loopback)");
    }
    return uri;
  }

  private static boolean isLoopback(String host) {
    if (host.equalsIgnoreCase("localhost")) {
      return true;
    }
    String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    if (!h.matches("[0-9.]+|[0-9a-fA-F:]+")) {
      return false; // a name other than localhost would need DNS: never treat it as loopback
    }
    try {
      return InetAddress.getByName(h).isLoopbackAddress();
    } catch (IOException e) {
      return false;
    }
  }

  private record Keys(Map<String, JWK> byKid, Instant fetched) {}
}
