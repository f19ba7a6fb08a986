package dev.minter.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where posture signals come from ({@code posture:} in the config). Two sources:
 *
 * <pre>{@code
 * posture: {source: file, file: posture.yaml, interval: 2s}
 * posture: {source: webhook, url: "https://posture.corp/check", timeout: 500ms, cache_ttl: 30s,
 *           ca_file: posture-ca.pem, max_entries: 10000, on_error: {healthy: false}}
 * }</pre>
 *
 * @param source {@code file} or {@code webhook}
 * @param file (file) the YAML/JSON file mapping identity globs to signals
 * @param interval (file) how often the file is checked for changes (default 2s)
 * @param url (webhook) where signals are POSTed for; https, or http only to a loopback address
 * @param timeout (webhook) hard limit for one call, connect to last byte (default 500ms)
 * @param cacheTtl (webhook) how long a successful answer is reused for the same identity (default 30s; 0: never)
 * @param caFile (webhook) PEM CA bundle to trust for the webhook instead of the JDK's default trust store
 * @param maxEntries (webhook) how many identities' answers are cached at most (default 10000)
 * @param onError (webhook) the signals used when the webhook cannot answer (default: none, so a condition reading
 *     posture fails and denies)
 */
public record PostureSettings(
    String source,
    Path file,
    Duration interval,
    URI url,
    Duration timeout,
    @JsonProperty("cache_ttl") Duration cacheTtl,
    @JsonProperty("ca_file") Path caFile,
    @JsonProperty("max_entries") Integer maxEntries,
    @JsonProperty("on_error") Map<String, Object> onError) {
  public static final String FILE = "file";
  public static final String WEBHOOK = "webhook";
  private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]", "::1");

  public PostureSettings {
    if (source == null || !(source.equals(FILE) || source.equals(WEBHOOK))) {
      throw new IllegalArgumentException("posture.source: " + source + " (expected: file or webhook)");
    }
    interval = positive("posture.interval", interval, Duration.ofSeconds(2));
    timeout = positive("posture.timeout", timeout, Duration.ofMillis(500));
    cacheTtl = cacheTtl == null ? Duration.ofSeconds(30) : cacheTtl;
    if (cacheTtl.isNegative()) {
      throw new IllegalArgumentException("posture.cache_ttl: " + cacheTtl + " (expected: >= 0)");
    }
    maxEntries = maxEntries == null ? 10_000 : maxEntries;
    if (maxEntries < 1) {
      throw new IllegalArgumentException("posture.max_entries: " + maxEntries + " (expected: >= 1)");
    }
    onError = onError == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(onError));
    if (source.equals(FILE)) {
      if (file == null) {
        throw new IllegalArgumentException("posture.file: missing (required for source: file)");
      }
      if (url != null || caFile != null) {
        throw new IllegalArgumentException("posture: url and ca_file belong to source: webhook, not file");
      }
    } else {
      checkUrl(url);
      if (file != null) {
        throw new IllegalArgumentException("posture.file: belongs to source: file, not webhook");
      }
    }
  }

  // Signals decide access: over plain http anyone on the path could answer "healthy". Loopback (a sidecar) is the
  // one place plain http cannot be intercepted from the network.
  private static void checkUrl(URI url) {
    if (url == null) {
      throw new IllegalArgumentException("posture.url: missing (required for source: webhook)");
    }
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (url.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
      throw new IllegalArgumentException("posture.url: scheme '" + scheme + "' (expected: an https:// URL with a host)");
    }
    if (url.getRawUserInfo() != null) {
      // The URL is named in logs; a password in it would leak there.
      throw new IllegalArgumentException("posture.url: user info is not allowed (put credentials in no URL)");
    }
    if (scheme.equals("http") && !LOOPBACK.contains(url.getHost().toLowerCase(Locale.ROOT))) {
      throw new IllegalArgumentException(
          "posture.url: " + url.getHost() + " over http (expected: https, or http only to localhost/127.0.0.1/[::1])");
    }
  }

  private static Duration positive(String key, Duration value, Duration fallback) {
    Duration d = value == null ? fallback : value;
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(key + ": " + d + " (expected: > 0)");
    }
    return d;
  }
}
