package dev.minter.attest.bundle;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.jwk.JWK;
import dev.minter.attest.jwt.JwkSource;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;

/**
 * JWT verification keys fetched from a JWKS URL, directly or through OpenID Connect discovery, cached and refreshed
 * without a restart. For the JWT-based attestors (GCP, Kubernetes, generic OIDC).
 *
 * <p>The set is refreshed in the background when its {@code Cache-Control: max-age} (bounded by
 * {@link RefreshOptions}) runs out. A token with an unknown key id triggers at most one early fetch per minimum
 * interval, so forged key ids cannot make Minter hammer the issuer; the verification waits at most
 * {@link RefreshOptions#waitOnMiss} for it. A failed fetch, or a set that is malformed or holds private or
 * symmetric keys, keeps the last good set.
 */
public final class RefreshingJwkSource implements JwkSource {
  private static final String DISCOVERY_PATH = "/.well-known/openid-configuration";

  private final Refresher<PublicJwkSet> refresher;

  private RefreshingJwkSource(Refresher<PublicJwkSet> refresher) {
    this.refresher = refresher;
  }

  /** Keys from {@code jwksUri} (https only), fetched with the shared {@code http} client. */
  public static RefreshingJwkSource forJwksUri(URI jwksUri, HttpClient http, Clock clock, RefreshOptions options) {
    return forJwksUri(jwksUri, http, clock, options, Refresher.BACKGROUND);
  }

  static RefreshingJwkSource forJwksUri(
      URI jwksUri, HttpClient http, Clock clock, RefreshOptions options, Executor executor) {
    HttpFetch.requireHttps(requireNonNull(jwksUri, "jwksUri"), "JWKS URL");
    requireNonNull(http, "http");
    requireNonNull(options, "options");
    return new RefreshingJwkSource(new Refresher<>("JWKS from " + jwksUri,
        current -> fetchJwks(http, jwksUri, options), Optional.empty(), clock, options, executor));
  }

  /**
   * Keys of the OpenID provider {@code issuer}: its discovery document
   * ({@code <issuer>/.well-known/openid-configuration}) must name exactly this issuer (OIDC Discovery 4.3, so one
   * provider cannot pose as another) and an https {@code jwks_uri}. The document is fetched again whenever fetching
   * the keys fails, so a moved {@code jwks_uri} is followed.
   */
  public static RefreshingJwkSource forIssuerDiscovery(
      URI issuer, HttpClient http, Clock clock, RefreshOptions options) {
    return forIssuerDiscovery(issuer, http, clock, options, Refresher.BACKGROUND);
  }

  static RefreshingJwkSource forIssuerDiscovery(
      URI issuer, HttpClient http, Clock clock, RefreshOptions options, Executor executor) {
    HttpFetch.requireHttps(requireNonNull(issuer, "issuer"), "issuer");
    if (issuer.getRawQuery() != null) {
      throw new IllegalArgumentException("issuer: must not have a query");
    }
    requireNonNull(http, "http");
    requireNonNull(options, "options");
    AtomicReference<URI> jwksUri = new AtomicReference<>();
    Refresher.Fetch<PublicJwkSet> fetch = current -> {
      URI uri = jwksUri.get();
      if (uri == null) {
        uri = discover(http, issuer, options);
        jwksUri.set(uri);
      }
      try {
        return fetchJwks(http, uri, options);
      } catch (IOException e) {
        jwksUri.set(null);
        throw e;
      }
    };
    return new RefreshingJwkSource(new Refresher<>("JWKS of issuer " + issuer, fetch, Optional.empty(), clock,
        options, executor));
  }

  @Override
  public Optional<JWK> find(String kid) {
    requireNonNull(kid, "kid");
    Optional<JWK> found = refresher.current().flatMap(set -> set.find(kid));
    if (found.isPresent()) {
      return found;
    }
    return refresher.currentAfterMiss().flatMap(set -> set.find(kid));
  }

  /** The last good key set, starting a background refresh if one is due. */
  public Optional<PublicJwkSet> current() {
    return refresher.current();
  }

  /** Fetches now and waits (startup, tests); true when a good set came back. */
  public boolean refreshNow() throws InterruptedException {
    return refresher.refreshNow();
  }

  /** How many fetches have been started. */
  public long fetchCount() {
    return refresher.fetchCount();
  }

  private static Refresher.Fetched<PublicJwkSet> fetchJwks(HttpClient http, URI uri, RefreshOptions options)
      throws IOException, InterruptedException {
    HttpFetch.Response response = HttpFetch.get(http, uri, options.requestTimeout());
    return new Refresher.Fetched<>(PublicJwkSet.parse(response.body()), response.maxAge());
  }

  private static URI discover(HttpClient http, URI issuer, RefreshOptions options)
      throws IOException, InterruptedException {
    String base = issuer.toString();
    URI url = URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + DISCOVERY_PATH);
    JsonNode doc = JsonDocs.readObject(HttpFetch.get(http, url, options.requestTimeout()).body(),
        "OpenID discovery document");
    JsonNode iss = doc.get("issuer");
    if (iss == null || !iss.isTextual() || !iss.textValue().equals(issuer.toString())) {
      throw new BundleFormatException("OpenID discovery document at " + url + " names issuer "
          + (iss == null ? "none" : JsonDocs.quote(iss.asText())) + " (expected: " + issuer + ")");
    }
    JsonNode jwks = doc.get("jwks_uri");
    if (jwks == null || !jwks.isTextual()) {
      throw new BundleFormatException("OpenID discovery document at " + url + " has no 'jwks_uri'");
    }
    try {
      return HttpFetch.requireHttps(new URI(jwks.textValue()), "jwks_uri");
    } catch (URISyntaxException | IllegalArgumentException e) {
      throw new BundleFormatException("OpenID discovery document at " + url + " has an unusable 'jwks_uri': "
          + e.getMessage());
    }
  }
}
