package dev.minter.attest;

import static java.util.Objects.requireNonNull;

import dev.minter.tls.Pem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trust bundles read from PEM files, one file per SPIFFE trust domain, reloaded when a file changes.
 *
 * <p>At most once per {@code recheckInterval} (per trust domain, on the clock given) a call stats the file; when
 * its modification time, size or file identity changed the file is re-read. A file that has become unreadable or
 * holds no certificate is logged and the last good bundle stays in force: a botched rotation must not lock every
 * workload out, and must never leave a trust domain with an empty (or half-written) set of roots.
 */
public final class PemBundleSource implements X509BundleSource {
  /** Re-stat each file at most this often by default. */
  public static final Duration DEFAULT_RECHECK = Duration.ofSeconds(5);

  private static final Logger log = LoggerFactory.getLogger(PemBundleSource.class);

  private final Map<String, Path> files;
  private final Clock clock;
  private final Duration recheckInterval;
  private final ConcurrentHashMap<String, Loaded> loaded = new ConcurrentHashMap<>();

  /**
   * Loads every bundle now, so a misconfigured path fails at startup rather than on the first call.
   *
   * @param bundleFiles trust domain name → PEM file of its X.509 authorities
   * @throws IOException when a file cannot be read or holds no certificate
   */
  public PemBundleSource(Map<String, Path> bundleFiles, Clock clock, Duration recheckInterval) throws IOException {
    this.files = Map.copyOf(requireNonNull(bundleFiles, "bundleFiles"));
    this.clock = requireNonNull(clock, "clock");
    this.recheckInterval = requireNonNull(recheckInterval, "recheckInterval");
    if (recheckInterval.isNegative()) {
      throw new IllegalArgumentException("recheckInterval: " + recheckInterval + " (expected: >= 0)");
    }
    for (Map.Entry<String, Path> e : files.entrySet()) {
      if (!SpiffeId.isValidTrustDomain(e.getKey())) {
        throw new IllegalArgumentException("bundle trust domain " + Reasons.quote(e.getKey()) + " is not valid");
      }
      loaded.put(e.getKey(), read(e.getValue(), clock.instant()));
    }
  }

  public PemBundleSource(Map<String, Path> bundleFiles, Clock clock) throws IOException {
    this(bundleFiles, clock, DEFAULT_RECHECK);
  }

  @Override
  public Optional<Set<X509Certificate>> bundleFor(String trustDomain) {
    Path file = files.get(trustDomain);
    if (file == null) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    Loaded current = loaded.get(trustDomain);
    if (now.isBefore(current.nextCheck())) {
      return Optional.of(current.roots());
    }
    // compute() serializes reloads of one trust domain; others proceed.
    return Optional.of(loaded.compute(trustDomain, (td, old) -> refresh(td, file, old, now)).roots());
  }

  private Loaded refresh(String trustDomain, Path file, Loaded old, Instant now) {
    Instant next = now.plus(recheckInterval);
    Stamp stamp;
    try {
      stamp = Stamp.of(file);
    } catch (IOException e) {
      log.warn("trust bundle for '{}' at {} is unreadable ({}); keeping the last good bundle of {} certificate(s)",
          trustDomain, file, e.getClass().getSimpleName(), old.roots().size());
      return old.recheckAt(next);
    }
    if (stamp.equals(old.stamp())) {
      return old.recheckAt(next);
    }
    try {
      Loaded fresh = read(file, now);
      log.info("trust bundle for '{}' reloaded from {}: {} certificate(s)", trustDomain, file, fresh.roots().size());
      return fresh;
    } catch (IOException e) {
      log.warn("trust bundle for '{}' at {} changed but cannot be used ({}); keeping the last good bundle of {} "
          + "certificate(s)", trustDomain, file, e.getMessage(), old.roots().size());
      // Remember the bad stamp so we do not re-parse the same broken file on every recheck.
      return new Loaded(old.roots(), stamp, next);
    }
  }

  private Loaded read(Path file, Instant now) throws IOException {
    // Stat before reading: if the file changes in between, the next recheck sees a new stamp and reloads.
    Stamp stamp = Stamp.of(file);
    Set<X509Certificate> roots = Set.copyOf(Pem.readCertificates(file));
    return new Loaded(roots, stamp, now.plus(recheckInterval));
  }

  private record Loaded(Set<X509Certificate> roots, Stamp stamp, Instant nextCheck) {
    Loaded recheckAt(Instant next) {
      return new Loaded(roots, stamp, next);
    }
  }

  /** Cheap change detection: an atomic replace changes the file key; an in-place edit, mtime or size. */
  private record Stamp(Instant modified, long size, Object fileKey) {
    static Stamp of(Path file) throws IOException {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      return new Stamp(a.lastModifiedTime().toInstant(), a.size(), Objects.requireNonNullElse(a.fileKey(), ""));
    }
  }
}
