package dev.minter.posture;

import dev.minter.config.PostureSettings;
import dev.minter.tls.TrustStores;
import java.io.IOException;
import java.net.http.HttpClient;
import java.security.GeneralSecurityException;
import java.time.Clock;

/** Builds the {@link PostureSource} a {@code posture:} config section describes. */
public final class PostureSources {
  private PostureSources() {}

  /**
   * The source {@code settings} describe, or {@link PostureSource#NONE} when they are null (no {@code posture:}
   * section). A webhook source is {@link AutoCloseable} (it owns its HTTP client): close it with the server.
   *
   * @throws IllegalArgumentException when the posture file is unreadable or invalid
   * @throws IOException or GeneralSecurityException when the webhook's CA file cannot be used
   */
  public static PostureSource build(PostureSettings settings, Clock clock) throws IOException, GeneralSecurityException {
    if (settings == null) {
      return PostureSource.NONE;
    }
    return switch (settings.source()) {
      case PostureSettings.FILE -> new StaticPostureSource(settings.file(), clock, settings.interval());
      case PostureSettings.WEBHOOK -> webhook(settings, clock);
      default -> throw new IllegalArgumentException("posture.source: " + settings.source());
    };
  }

  private static WebhookPostureSource webhook(PostureSettings settings, Clock clock)
      throws IOException, GeneralSecurityException {
    HttpClient.Builder http = HttpClient.newBuilder()
        .connectTimeout(settings.timeout())
        .followRedirects(HttpClient.Redirect.NEVER); // a redirect is not an answer: fail closed
    if (settings.caFile() != null) {
      http.sslContext(TrustStores.trusting(settings.caFile()));
    }
    return new WebhookPostureSource(
        settings.url(), http.build(), settings.timeout(), settings.cacheTtl(), settings.maxEntries(),
        settings.onError(), clock);
  }
}
