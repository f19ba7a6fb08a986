package dev.minter.attest.bundle;

import static java.util.Objects.requireNonNull;

import dev.minter.attest.JwtBundleSource;
import dev.minter.attest.SpiffeId;
import dev.minter.attest.X509BundleSource;
import dev.minter.attest.jwt.JwkSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/**
 * A federated trust domain's bundle, fetched from its SPIFFE bundle endpoint (SPIFFE Trust Domain and Bundle spec,
 * section 5) and kept fresh without a restart.
 *
 * <p>Two endpoint profiles: {@code https_web} authenticates the server with Web PKI (the HTTP client's trust store)
 * and binds the trust domain by configuration; {@code https_spiffe} authenticates the server by its X.509-SVID,
 * which must carry the configured endpoint SPIFFE ID and chain to the bundle held for that trust domain — first an
 * operator-supplied bootstrap bundle, then each fetched bundle authenticates the next fetch.
 *
 * <p>Refresh follows the bundle's {@code spiffe_refresh_hint} within {@link RefreshOptions} bounds, in the
 * background; a failed or unusable fetch keeps the last good bundle; a JWT-SVID with an unknown key id triggers at
 * most one early fetch per minimum interval; no verification waits on the network longer than
 * {@link RefreshOptions#waitOnMiss} (see {@link Refresher}).
 */
public final class SpiffeBundleEndpointSource implements X509BundleSource, JwtBundleSource {
  private final String trustDomain;
  private final Refresher<SpiffeBundle> refresher;

  private SpiffeBundleEndpointSource(String trustDomain, Refresher<SpiffeBundle> refresher) {
    this.trustDomain = trustDomain;
    this.refresher = refresher;
  }

  /**
   * The {@code https_web} profile: {@code http} authenticates the server (its SSLContext holds the Web PKI roots
   * to trust, normally the JDK's) and checks its host name; {@code trustDomain} is bound to {@code endpoint} here.
   */
  public static SpiffeBundleEndpointSource httpsWeb(
      String trustDomain, URI endpoint, HttpClient http, Clock clock, RefreshOptions options) {
    return httpsWeb(trustDomain, endpoint, http, clock, options, Refresher.BACKGROUND);
  }

  static SpiffeBundleEndpointSource httpsWeb(
      String trustDomain, URI endpoint, HttpClient http, Clock clock, RefreshOptions options, Executor executor) {
    if (!SpiffeId.isValidTrustDomain(requireNonNull(trustDomain, "trustDomain"))) {
      throw new IllegalArgumentException("trustDomain: " + JsonDocs.quote(trustDomain) + " is not valid");
    }
    HttpFetch.requireHttps(requireNonNull(endpoint, "endpoint"), "bundle endpoint URL");
    requireNonNull(http, "http");
    requireNonNull(options, "options");
    Refresher.Fetch<SpiffeBundle> fetch = current -> fetchBundle(http, endpoint, trustDomain, options);
    return new SpiffeBundleEndpointSource(trustDomain, new Refresher<>(
        "SPIFFE bundle of '" + trustDomain + "' from " + endpoint, fetch, Optional.empty(), clock, options, executor));
  }

  /**
   * The {@code https_spiffe} profile: the server must present an X.509-SVID for exactly {@code endpointId},
   * verified against {@code bootstrap} until the first fetch succeeds and against the latest fetched bundle after.
   * The trust domain is {@code endpointId}'s. The bootstrap bundle is trusted for SVIDs from the start.
   */
  public static SpiffeBundleEndpointSource httpsSpiffe(
      URI endpoint, SpiffeId endpointId, SpiffeBundle bootstrap, Clock clock, RefreshOptions options) {
    return httpsSpiffe(endpoint, endpointId, bootstrap, clock, options, Refresher.BACKGROUND);
  }

  static SpiffeBundleEndpointSource httpsSpiffe(URI endpoint, SpiffeId endpointId, SpiffeBundle bootstrap,
      Clock clock, RefreshOptions options, Executor executor) {
    HttpFetch.requireHttps(requireNonNull(endpoint, "endpoint"), "bundle endpoint URL");
    requireNonNull(endpointId, "endpointId");
    requireNonNull(bootstrap, "bootstrap");
    requireNonNull(clock, "clock");
    requireNonNull(options, "options");
    String td = endpointId.trustDomain();
    if (!bootstrap.trustDomain().equals(td)) {
      throw new IllegalArgumentException("bootstrap bundle is for '" + bootstrap.trustDomain()
          + "' but the endpoint SPIFFE ID is in '" + td + "'");
    }
    if (bootstrap.x509Authorities().isEmpty()) {
      throw new IllegalArgumentException("bootstrap bundle for '" + td + "' has no X.509 authority to "
          + "authenticate the endpoint with");
    }
    // The trust manager reads the bundle through this holder, so each fetch is authenticated by the latest bundle.
    Holder holder = new Holder();
    SpiffeServerTrustManager tm = new SpiffeServerTrustManager(endpointId,
        () -> holder.refresher.peek().map(SpiffeBundle::x509Authorities).orElse(Set.of()), clock);
    HttpClient http = HttpClient.newBuilder()
        .sslContext(sslContext(tm))
        .connectTimeout(options.requestTimeout())
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
    Refresher.Fetch<SpiffeBundle> fetch = current -> {
      SpiffeBundle fetched = fetchBundle(http, endpoint, td, options).value();
      if (fetched.x509Authorities().isEmpty()) {
        // Without X.509 authorities the next fetch could not be authenticated: we would be locked out for good.
        throw new BundleFormatException("bundle for '" + td + "' from " + endpoint + " has no X.509 authority");
      }
      return new Refresher.Fetched<>(fetched, fetched.refreshHint());
    };
    holder.refresher = new Refresher<>("SPIFFE bundle of '" + td + "' from " + endpoint + " (https_spiffe as "
        + endpointId + ")", fetch, Optional.of(bootstrap), clock, options, executor);
    return new SpiffeBundleEndpointSource(td, holder.refresher);
  }

  /** The trust domain this endpoint serves. */
  public String trustDomain() {
    return trustDomain;
  }

  /** The last good bundle, starting a background refresh if one is due. */
  public Optional<SpiffeBundle> current() {
    return refresher.current();
  }

  /** Fetches now and waits (startup, tests); true when a good bundle came back. Never needed for correctness. */
  public boolean refreshNow() throws InterruptedException {
    return refresher.refreshNow();
  }

  /** How many fetches have been started. */
  public long fetchCount() {
    return refresher.fetchCount();
  }

  @Override
  public Optional<Set<X509Certificate>> bundleFor(String td) {
    if (!trustDomain.equals(td)) {
      return Optional.empty();
    }
    return refresher.current().map(SpiffeBundle::x509Authorities).filter(s -> !s.isEmpty());
  }

  @Override
  public Optional<JwkSource> jwtBundleFor(String td) {
    if (!trustDomain.equals(td)) {
      return Optional.empty();
    }
    return Optional.of(kid -> {
      Optional<SpiffeBundle> b = refresher.current();
      if (b.isPresent() && b.get().jwtAuthorities().containsKey(kid)) {
        return Optional.of(b.get().jwtAuthorities().get(kid));
      }
      return refresher.currentAfterMiss().map(bundle -> bundle.jwtAuthorities().get(kid));
    });
  }

  private static Refresher.Fetched<SpiffeBundle> fetchBundle(
      HttpClient http, URI endpoint, String td, RefreshOptions options)
      throws java.io.IOException, InterruptedException {
    HttpFetch.Response response = HttpFetch.get(http, endpoint, options.requestTimeout());
    SpiffeBundle bundle = FileSpiffeBundleSource.nonEmpty(SpiffeBundle.parse(td, response.body()));
    return new Refresher.Fetched<>(bundle, bundle.refreshHint());
  }

  private static SSLContext sslContext(TrustManager tm) {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new TrustManager[] {tm}, null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("TLS is not available", e);
    }
  }

  private static final class Holder {
    volatile Refresher<SpiffeBundle> refresher;
  }
}
