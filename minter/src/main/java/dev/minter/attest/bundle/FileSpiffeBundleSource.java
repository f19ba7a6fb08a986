package dev.minter.attest.bundle;

import static java.util.Objects.requireNonNull;

import dev.minter.attest.JwtBundleSource;
import dev.minter.attest.SpiffeId;
import dev.minter.attest.X509BundleSource;
import dev.minter.attest.jwt.JwkSource;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * SPIFFE bundles read from files (the format SPIRE's {@code spire-server bundle show -format spiffe} writes), one
 * file per trust domain, reloaded without a restart when a file changes, giving both X.509 and JWT authorities.
 *
 * <p>Each file is stat'ed at most once per recheck interval; a changed file that is unreadable, not a valid bundle,
 * or holds no authority at all is logged and the last good bundle stays in force (see {@link WatchedFile}).
 */
public final class FileSpiffeBundleSource implements X509BundleSource, JwtBundleSource {
  /** Re-stat each file at most this often by default. */
  public static final Duration DEFAULT_RECHECK = Duration.ofSeconds(5);

  private final Map<String, WatchedFile<SpiffeBundle>> files;

  /**
   * Loads every bundle now, so a misconfigured path fails at startup rather than on the first call.
   *
   * @param bundleFiles trust domain name → SPIFFE bundle file
   * @throws IOException when a file cannot be read, is not a valid bundle, or holds no authority
   */
  public FileSpiffeBundleSource(Map<String, Path> bundleFiles, Clock clock, Duration recheck) throws IOException {
    requireNonNull(bundleFiles, "bundleFiles");
    requireNonNull(clock, "clock");
    Map<String, WatchedFile<SpiffeBundle>> loaded = new LinkedHashMap<>();
    for (Map.Entry<String, Path> e : bundleFiles.entrySet()) {
      String td = e.getKey();
      if (!SpiffeId.isValidTrustDomain(td)) {
        throw new IllegalArgumentException("bundle trust domain " + JsonDocs.quote(td) + " is not valid");
      }
      loaded.put(td, new WatchedFile<>("SPIFFE bundle for '" + td + "'", e.getValue(),
          bytes -> nonEmpty(SpiffeBundle.parse(td, bytes)), clock, recheck));
    }
    this.files = Map.copyOf(loaded);
  }

  public FileSpiffeBundleSource(Map<String, Path> bundleFiles, Clock clock) throws IOException {
    this(bundleFiles, clock, DEFAULT_RECHECK);
  }

  /** The current bundle of {@code trustDomain}, if a file is configured for it. */
  public Optional<SpiffeBundle> bundle(String trustDomain) {
    WatchedFile<SpiffeBundle> file = files.get(trustDomain);
    return file == null ? Optional.empty() : Optional.of(file.get());
  }

  @Override
  public Optional<Set<X509Certificate>> bundleFor(String trustDomain) {
    return bundle(trustDomain).map(SpiffeBundle::x509Authorities).filter(s -> !s.isEmpty());
  }

  @Override
  public Optional<JwkSource> jwtBundleFor(String trustDomain) {
    WatchedFile<SpiffeBundle> file = files.get(trustDomain);
    if (file == null || file.get().jwtAuthorities().isEmpty()) {
      return Optional.empty();
    }
    // A live view: each lookup sees the file's current keys, so a key published later is found without a restart.
    return Optional.of(kid -> Optional.ofNullable(file.get().jwtAuthorities().get(kid)));
  }

  static SpiffeBundle nonEmpty(SpiffeBundle bundle) throws BundleFormatException {
    if (bundle.isEmpty()) {
      // An empty bundle is valid JSON but would distrust the whole trust domain at once: never take it as an update.
      throw new BundleFormatException("SPIFFE bundle for '" + bundle.trustDomain() + "' holds no authority");
    }
    return bundle;
  }
}
