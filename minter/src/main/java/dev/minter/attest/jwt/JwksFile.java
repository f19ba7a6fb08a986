package dev.minter.attest.jwt;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.jwk.JWK;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JWT verification keys read from one file (a JWKS, or a SPIFFE bundle: see {@link TrustedKeys}), re-read when the
 * file changes, so keys rotate without a restart: a key added to the file is trusted, a key removed is not.
 *
 * <p>At most once per {@code recheck} a lookup stats the file; when its modification time, size or identity changed
 * it is parsed again. A file that has become unreadable, or holds no usable key, is logged and the last good keys stay
 * in force: a botched rotation must not lock every workload out (the same rule as {@code PemBundleSource}).
 */
public final class JwksFile implements JwkSource {
  /** Re-stat the file at most this often by default. */
  public static final Duration DEFAULT_RECHECK = Duration.ofSeconds(5);

  private static final Logger log = LoggerFactory.getLogger(JwksFile.class);

  private final Path file;
  private final Clock clock;
  private final Duration recheck;
  private volatile Loaded loaded;

  /**
   * Reads the file now, so a bad path or file fails at startup rather than on the first call.
   *
   * @throws IOException when the file cannot be read or holds no usable key
   */
  public JwksFile(Path file, Clock clock, Duration recheck) throws IOException {
    this.file = requireNonNull(file, "file");
    this.clock = requireNonNull(clock, "clock");
    this.recheck = requireNonNull(recheck, "recheck");
    if (recheck.isNegative()) {
      throw new IllegalArgumentException("recheck: " + recheck + " (expected: >= 0)");
    }
    this.loaded = read(clock.instant());
  }

  @Override
  public Optional<JWK> find(String kid) {
    Loaded current = loaded;
    Instant now = clock.instant();
    if (!now.isBefore(current.nextCheck())) {
      current = refresh(now);
    }
    return Optional.ofNullable(current.keys().get(kid));
  }

  /** The kids trusted right now (for logs and tests). */
  public Set<String> kids() {
    return loaded.keys().keySet();
  }

  private synchronized Loaded refresh(Instant now) {
    Loaded old = loaded;
    if (now.isBefore(old.nextCheck())) {
      return old; // another thread refreshed while we waited
    }
    Stamp stamp;
    try {
      stamp = Stamp.of(file);
    } catch (IOException e) {
      log.warn("JWT keys at {} cannot be read ({}); keeping the last good {} key(s)", file, e.getMessage(), old.size());
      return loaded = old.recheckAt(now.plus(recheck));
    }
    if (stamp.equals(old.stamp())) {
      return loaded = old.recheckAt(now.plus(recheck));
    }
    try {
      Loaded fresh = read(now);
      log.info("JWT keys reloaded from {}: kids {}", file, fresh.keys().keySet());
      return loaded = fresh;
    } catch (IOException e) {
      log.warn("JWT keys at {} changed but cannot be used ({}); keeping the last good {} key(s)", file, e.getMessage(),
          old.size());
      // Remember the bad stamp so the same broken file is not parsed again on every recheck.
      return loaded = new Loaded(old.keys(), stamp, now.plus(recheck));
    }
  }

  private Loaded read(Instant now) throws IOException {
    // Stat before reading: if the file changes in between, the next recheck sees a new stamp and reloads.
    Stamp stamp = Stamp.of(file);
    if (stamp.size() > TrustedKeys.MAX_BYTES) {
      throw new IOException(file + " is " + stamp.size() + " bytes (expected: <= " + TrustedKeys.MAX_BYTES + ")");
    }
    try {
      String json = Files.readString(file, StandardCharsets.UTF_8);
      return new Loaded(TrustedKeys.parse(json, file.toString()), stamp, now.plus(recheck));
    } catch (ParseException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }

  private record Loaded(Map<String, JWK> keys, Stamp stamp, Instant nextCheck) {
    Loaded recheckAt(Instant next) {
      return new Loaded(keys, stamp, next);
    }

    int size() {
      return keys.size();
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
