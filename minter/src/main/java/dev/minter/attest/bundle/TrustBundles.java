package dev.minter.attest.bundle;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.minter.attest.JwtBundleSource;
import dev.minter.attest.SpiffeId;
import dev.minter.attest.X509BundleSource;
import dev.minter.attest.jwt.JwkSource;
import dev.minter.config.ConfigLoader;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The server's trust sources from the {@code trust_bundles} section, combined: per trust domain the first source that
 * knows it answers (PEM {@code trust_domains} first, then bundle files, bundle endpoints, then the Workload API).
 * Every source rotates without a restart.
 */
public final class TrustBundles implements X509BundleSource, JwtBundleSource, AutoCloseable {
  private final List<X509BundleSource> x509;
  private final List<JwtBundleSource> jwt;
  private final List<AutoCloseable> closeables;

  private TrustBundles(List<X509BundleSource> x509, List<JwtBundleSource> jwt, List<AutoCloseable> closeables) {
    this.x509 = List.copyOf(x509);
    this.jwt = List.copyOf(jwt);
    this.closeables = List.copyOf(closeables);
  }

  /**
   * @param pem the {@code trust_domains} PEM bundles (X.509 only), consulted first
   * @param section the {@code trust_bundles} section, or null
   */
  public static TrustBundles build(X509BundleSource pem, JsonNode section, Path baseDir, HttpClient http, Clock clock)
      throws IOException {
    List<X509BundleSource> x509 = new ArrayList<>(List.of(pem));
    List<JwtBundleSource> jwt = new ArrayList<>();
    List<AutoCloseable> closeables = new ArrayList<>();
    if (section == null) {
      return new TrustBundles(x509, jwt, closeables);
    }
    Settings settings = ConfigLoader.convert(section, Settings.class, baseDir);
    if (!settings.files().isEmpty()) {
      FileSpiffeBundleSource files = new FileSpiffeBundleSource(settings.files(), clock);
      x509.add(files);
      jwt.add(files);
    }
    for (Map.Entry<String, Endpoint> e : settings.endpoints().entrySet()) {
      SpiffeBundleEndpointSource source = e.getValue().open(e.getKey(), http, clock);
      x509.add(source);
      jwt.add(source);
    }
    if (settings.workloadApi() != null) {
      WorkloadApiBundleSource source = WorkloadApiBundleSource.connect(settings.workloadApi());
      closeables.add(source);
      x509.add(source);
      jwt.add(source);
    }
    return new TrustBundles(x509, jwt, closeables);
  }

  @Override
  public Optional<Set<X509Certificate>> bundleFor(String trustDomain) {
    for (X509BundleSource source : x509) {
      Optional<Set<X509Certificate>> bundle = source.bundleFor(trustDomain);
      if (bundle.isPresent() && !bundle.get().isEmpty()) {
        return bundle;
      }
    }
    return Optional.empty();
  }

  @Override
  public Optional<JwkSource> jwtBundleFor(String trustDomain) {
    for (JwtBundleSource source : jwt) {
      Optional<JwkSource> keys = source.jwtBundleFor(trustDomain);
      if (keys.isPresent()) {
        return keys;
      }
    }
    return Optional.empty();
  }

  @Override
  public void close() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
  }

  /**
   * The {@code trust_bundles} section.
   *
   * @param files trust domain → SPIFFE bundle file (X.509 and JWT authorities), watched
   * @param endpoints trust domain → its SPIFFE bundle endpoint (federation)
   * @param workloadApi the SPIFFE Workload API socket (e.g. {@code unix:///run/spire/agent.sock}) when Minter runs
   *     under SPIRE
   */
  public record Settings(
      Map<String, Path> files, Map<String, Endpoint> endpoints, @JsonProperty("workload_api") String workloadApi) {
    public Settings {
      files = files == null ? Map.of() : Map.copyOf(files);
      endpoints = endpoints == null ? Map.of() : Map.copyOf(endpoints);
    }
  }

  /**
   * One bundle endpoint.
   *
   * @param url the endpoint (https)
   * @param profile {@code https_web} (Web PKI) or {@code https_spiffe} (the server's X.509-SVID)
   * @param endpointSpiffeId for https_spiffe: the SPIFFE ID the server must present
   * @param bootstrapBundle for https_spiffe: a SPIFFE bundle file to trust until the first fetch
   */
  public record Endpoint(
      URI url,
      String profile,
      @JsonProperty("endpoint_spiffe_id") String endpointSpiffeId,
      @JsonProperty("bootstrap_bundle") Path bootstrapBundle) {

    SpiffeBundleEndpointSource open(String trustDomain, HttpClient http, Clock clock) throws IOException {
      if (url == null) {
        throw new IllegalArgumentException("trust_bundles.endpoints." + trustDomain + ".url: missing");
      }
      return switch (profile == null ? "" : profile) {
        case "https_web" -> SpiffeBundleEndpointSource.httpsWeb(trustDomain, url, http, clock, RefreshOptions.defaults());
        case "https_spiffe" -> {
          if (endpointSpiffeId == null || bootstrapBundle == null) {
            throw new IllegalArgumentException(
                "trust_bundles.endpoints." + trustDomain + ": https_spiffe needs endpoint_spiffe_id and bootstrap_bundle");
          }
          SpiffeId id = SpiffeId.parse(endpointSpiffeId);
          SpiffeBundle bootstrap = SpiffeBundle.parse(id.trustDomain(), Files.readAllBytes(bootstrapBundle));
          yield SpiffeBundleEndpointSource.httpsSpiffe(url, id, bootstrap, clock, RefreshOptions.defaults());
        }
        default ->
            throw new IllegalArgumentException(
                "trust_bundles.endpoints." + trustDomain + ".profile: '" + profile + "' (expected: https_web or https_spiffe)");
      };
    }
  }
}
