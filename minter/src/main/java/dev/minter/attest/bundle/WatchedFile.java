package dev.minter.attest.bundle;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One trust file, re-read when it changes and used as last known good when it breaks.
 *
 * <p>At most once per {@code recheck} (on the injected clock) a read stats the file; only a changed stamp
 * (modification time, size or file identity, so an atomic rename is seen too) re-reads it. A change that does not
 * load keeps the previous value in force, logged: a botched rotation must not lock every workload out, and a
 * half-written file must never become the trust set. The broken stamp is remembered so the same bad file is not
 * parsed again on every recheck.
 */
final class WatchedFile<T> {
  /** Turns the file's bytes into the trusted value, or refuses them. */
  @FunctionalInterface
  interface Loader<T> {
    T load(byte[] content) throws IOException;
  }

  private static final Logger log = LoggerFactory.getLogger(WatchedFile.class);

  private final String what;
  private final Path file;
  private final Loader<T> loader;
  private final Clock clock;
  private final Duration recheck;
  private volatile State<T> state;

  /** Loads the file now, so a bad path or document fails at startup. */
  WatchedFile(String what, Path file, Loader<T> loader, Clock clock, Duration recheck) throws IOException {
    this.what = requireNonNull(what, "what");
    this.file = requireNonNull(file, "file");
    this.loader = requireNonNull(loader, "loader");
    this.clock = requireNonNull(clock, "clock");
    this.recheck = requireNonNull(recheck, "recheck");
    if (recheck.isNegative()) {
      throw new IllegalArgumentException("recheck: " + recheck + " (expected: >= 0)");
    }
    Stamp stamp = Stamp.of(file);
    this.state = new State<>(loader.load(read(file)), stamp, clock.instant().plus(recheck));
  }

  /** The current value, re-reading the file first if a recheck is due and the file changed. */
  T get() {
    State<T> s = state;
    Instant now = clock.instant();
    if (now.isBefore(s.nextCheck())) {
      return s.value();
    }
    synchronized (this) {
      s = state;
      if (now.isBefore(s.nextCheck())) {
        return s.value();
      }
      state = refresh(s, now);
      return state.value();
    }
  }

  Path file() {
    return file;
  }

  private State<T> refresh(State<T> old, Instant now) {
    Instant next = now.plus(recheck);
    Stamp stamp;
    try {
      stamp = Stamp.of(file);
    } catch (IOException e) {
      log.warn("{} at {} is unreadable ({}); keeping the last good one", what, file, e.getClass().getSimpleName());
      return new State<>(old.value(), old.stamp(), next);
    }
    if (stamp.equals(old.stamp())) {
      return new State<>(old.value(), old.stamp(), next);
    }
    try {
      // Stat before reading: if the file changes in between, the next recheck sees a new stamp and reloads.
      T fresh = loader.load(read(file));
      log.info("{} reloaded from {}", what, file);
      return new State<>(fresh, stamp, next);
    } catch (IOException | RuntimeException e) {
      log.warn("{} at {} changed but cannot be used ({}); keeping the last good one", what, file, e.getMessage());
      return new State<>(old.value(), stamp, next);
    }
  }

  private static byte[] read(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes(JsonDocs.MAX_DOCUMENT_BYTES + 1);
      if (bytes.length > JsonDocs.MAX_DOCUMENT_BYTES) {
        throw new BundleFormatException(file + " is larger than " + JsonDocs.MAX_DOCUMENT_BYTES + " bytes");
      }
      return bytes;
    }
  }

  private record State<T>(T value, Stamp stamp, Instant nextCheck) {}

  private record Stamp(Instant modified, long size, Object fileKey) {
    static Stamp of(Path file) throws IOException {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      return new Stamp(a.lastModifiedTime().toInstant(), a.size(), Objects.requireNonNullElse(a.fileKey(), ""));
    }
  }
}
