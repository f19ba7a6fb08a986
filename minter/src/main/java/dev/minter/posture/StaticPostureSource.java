package dev.minter.posture;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.minter.attest.WorkloadIdentity;
import dev.minter.policy.Glob;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posture signals declared in a file (YAML or JSON): identity globs ({@link Glob}) mapped to signals, first match
 * wins, no match means no signals.
 *
 * <pre>{@code
 * "spiffe://corp.example/agents/ci-*": {patched: true, edr: healthy, tier: 2}
 * "spiffe://corp.example/**": {patched: false}
 * }</pre>
 *
 * <p>The file is re-checked at most once per {@code interval} (on the injected clock) and re-parsed only when its
 * SHA-256 changed. A changed file that does not parse keeps the previous signals, logged at ERROR: the file is an
 * operator's statement of fact, and half of it (or none) is not a safer fact than the last complete one.
 */
public final class StaticPostureSource implements PostureSource {
  static final int MAX_FILE_BYTES = 1 << 20;
  private static final String UNREADABLE = "unreadable";
  private static final Logger log = LoggerFactory.getLogger(StaticPostureSource.class);
  private static final YAMLMapper YAML =
      YAMLMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
          .build();

  private final Path file;
  private final Clock clock;
  private final Duration interval;
  private volatile State state;

  private record Entry(Glob glob, Map<String, Object> signals) {}

  private record State(List<Entry> entries, String sha256, Instant nextCheck) {}

  /**
   * Reads {@code file} now.
   *
   * @throws IllegalArgumentException naming the file and what is wrong, so a bad file fails start-up
   */
  public StaticPostureSource(Path file, Clock clock, Duration interval) {
    this.file = requireNonNull(file, "file");
    this.clock = requireNonNull(clock, "clock");
    this.interval = requireNonNull(interval, "interval");
    try {
      byte[] bytes = read(file);
      this.state = new State(parse(bytes), sha256(bytes), clock.instant().plus(interval));
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("posture file " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Map<String, Object> signals(WorkloadIdentity identity) {
    for (Entry entry : current().entries()) {
      if (entry.glob().matches(identity.id())) {
        return entry.signals();
      }
    }
    return Map.of();
  }

  private State current() {
    State s = state;
    Instant now = clock.instant();
    if (now.isBefore(s.nextCheck())) {
      return s;
    }
    synchronized (this) {
      if (now.isBefore(state.nextCheck())) {
        return state;
      }
      state = refresh(state, now.plus(interval));
      return state;
    }
  }

  private State refresh(State old, Instant next) {
    byte[] bytes;
    try {
      bytes = read(file);
    } catch (IOException e) {
      if (!old.sha256().equals(UNREADABLE)) { // one line when it goes missing, not one per interval
        log.error("posture file {} is unreadable ({}); keeping the last good signals", file, e.toString());
      }
      return new State(old.entries(), UNREADABLE, next);
    }
    String sha = sha256(bytes);
    if (sha.equals(old.sha256())) {
      return new State(old.entries(), old.sha256(), next);
    }
    try {
      List<Entry> entries = parse(bytes);
      log.info("posture file {} reloaded (sha256 {})", file, sha);
      return new State(entries, sha, next);
    } catch (IOException | RuntimeException e) {
      log.error("posture file {} changed but cannot be used ({}); keeping the last good signals", file, e.getMessage());
      return new State(old.entries(), sha, next); // remember the bad hash: one log line per bad version
    }
  }

  private static List<Entry> parse(byte[] bytes) throws IOException {
    JsonNode root = YAML.readTree(bytes);
    if (root == null || root.isMissingNode() || root.isNull()) {
      return List.of();
    }
    if (!root.isObject()) {
      throw new IllegalArgumentException("expected a mapping of identity globs to signals, got " + root.getNodeType());
    }
    List<Entry> entries = new ArrayList<>();
    for (Map.Entry<String, JsonNode> field : root.properties()) {
      try {
        entries.add(new Entry(Glob.compile(field.getKey()), PostureValues.signals(field.getValue())));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("'" + field.getKey() + "': " + e.getMessage(), e);
      }
    }
    return List.copyOf(entries);
  }

  private static byte[] read(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes(MAX_FILE_BYTES + 1);
      if (bytes.length > MAX_FILE_BYTES) {
        throw new IOException("larger than " + MAX_FILE_BYTES + " bytes");
      }
      return bytes;
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is a required JDK algorithm", e);
    }
  }
}
