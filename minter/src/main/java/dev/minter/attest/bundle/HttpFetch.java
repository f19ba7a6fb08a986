package dev.minter.attest.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/** One bounded GET of a trust document over the given client. */
final class HttpFetch {
  /** What came back: the body (at most {@link JsonDocs#MAX_DOCUMENT_BYTES}) and the Cache-Control max-age. */
  record Response(byte[] body, Optional<Duration> maxAge) {}

  private HttpFetch() {}

  static Response get(HttpClient http, URI uri, Duration timeout) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(uri)
        .timeout(timeout)
        .header("Accept", "application/json")
        .GET()
        .build();
    HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = response.body()) {
      if (response.statusCode() != 200) {
        throw new IOException("GET " + uri + " returned HTTP " + response.statusCode());
      }
      byte[] body = in.readNBytes(JsonDocs.MAX_DOCUMENT_BYTES + 1);
      if (body.length > JsonDocs.MAX_DOCUMENT_BYTES) {
        throw new BundleFormatException("GET " + uri + " returned more than " + JsonDocs.MAX_DOCUMENT_BYTES
            + " bytes");
      }
      return new Response(body, maxAge(response.headers().firstValue("Cache-Control")));
    }
  }

  /** The max-age of a Cache-Control header; no-store and no-cache mean "as soon as allowed" (zero). */
  static Optional<Duration> maxAge(Optional<String> header) {
    if (header.isEmpty()) {
      return Optional.empty();
    }
    Optional<Duration> found = Optional.empty();
    for (String part : header.get().split(",")) {
      String directive = part.trim().toLowerCase(Locale.ROOT);
      if (directive.equals("no-store") || directive.equals("no-cache")) {
        return Optional.of(Duration.ZERO);
      }
      if (directive.startsWith("max-age=")) {
        String digits = directive.substring("max-age=".length());
        if (!digits.isEmpty() && digits.length() <= 10 && digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
          found = Optional.of(Duration.ofSeconds(Long.parseLong(digits)));
        }
      }
    }
    return found;
  }

  static URI requireHttps(URI uri, String what) {
    if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException(what + ": " + uri + " (expected: an https URL)");
    }
    if (uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException(what + ": must not have user info or a fragment");
    }
    return uri;
  }
}
