package dev.minter.attest.oidc;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.minter.attest.jwt.JwkSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trusted keys from a file in any {@link KeySets} shape, re-read when its modification time changes, so an operator
 * (or a cron job fetching Google's certificates) rotates keys by replacing the file. A file that becomes unreadable
 * or invalid keeps the last good keys in use and is logged: a half-written file must not lock every caller out.
 */
final class FileJwkSource implements JwkSource {
  private static final Logger log = LoggerFactory.getLogger(FileJwkSource.class);

  private final Path file;
  private final Clock clock;
  private volatile Loaded loaded;

  /** Reads {@code file} now; a file that cannot be read at startup is a configuration error. */
  FileJwkSource(Path file, Clock clock) {
    this.file = requireNonNull(file, "file");
    this.clock = requireNonNull(clock, "clock");
    try {
      FileTime mtime = Files.getLastModifiedTime(file);
      this.loaded = new Loaded(mtime, read(file));
    } catch (IOException e) {
      throw new IllegalArgumentException("keys_file: cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("keys_file: " + file + ": " + e.getMessage());
    }
  }

  @Override
  public Optional<JWK> find(String kid) {
    refreshIfChanged();
    return ValidKeys.find(loaded.keys, kid, clock.instant());
  }

  private void refreshIfChanged() {
    Loaded current = loaded;
    FileTime mtime;
    try {
      mtime = Files.getLastModifiedTime(file);
    } catch (IOException e) {
      return; // gone for a moment (being replaced): keep the last good keys
    }
    if (mtime.equals(current.mtime)) {
      return;
    }
    synchronized (this) {
      if (!mtime.equals(loaded.mtime)) {
        try {
          loaded = new Loaded(mtime, read(file));
          log.info("keys_file {} reloaded", file);
        } catch (IOException | IllegalArgumentException e) {
          // Remember the mtime so a broken file is reported once, not on every call.
          loaded = new Loaded(mtime, loaded.keys);
          log.warn("keys_file {} is unusable, keeping the previous keys: {}", file, e.getMessage());
        }
      }
    }
  }

  private static JWKSet read(Path file) throws IOException {
    if (Files.size(file) > KeySets.MAX_BYTES) {
      throw new IllegalArgumentException("file is larger than " + KeySets.MAX_BYTES + " bytes");
    }
    return KeySets.parse(Files.readString(file, StandardCharsets.UTF_8));
  }

  private record Loaded(FileTime mtime, JWKSet keys) {}
}
