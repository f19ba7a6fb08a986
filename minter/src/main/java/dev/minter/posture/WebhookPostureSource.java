package dev.minter.posture;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.minter.attest.WorkloadIdentity;
import dev.minter.net.LimitedBody;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posture signals from an HTTP endpoint: Minter POSTs {@code {"identity", "attestor", "claims"}} as JSON and expects
 * a JSON object of signals back (2xx, at most 64 KiB, within the timeout).
 *
 * <p>Fail closed: any other answer — a non-2xx status, a timeout, a connection error, an oversized or non-object
 * body — yields the configured {@code on_error} signals (by default none, so a condition that reads posture cannot
 * be satisfied and denies). Successful answers are cached per identity (identity, attestor and claims) for {@code
 * cacheTtl}; failures for at most {@link #FAILURE_TTL}, so a down webhook does not add its timeout to every call
 * but recovery is seen within seconds. The timeout is hard: it bounds the whole exchange, body included. Concurrent
 * callers for the same identity share one request.
 */
public final class WebhookPostureSource implements PostureSource, AutoCloseable {
  static final int MAX_BODY_BYTES = 64 * 1024;
  static final Duration FAILURE_TTL = Duration.ofSeconds(2);
  private static final Duration WARN_EVERY = Duration.ofSeconds(30);
  private static final Logger log = LoggerFactory.getLogger(WebhookPostureSource.class);
  private static final JsonMapper JSON =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private final URI url;
  private final String where;
  private final HttpClient http;
  private final Duration timeout;
  private final Duration cacheTtl;
  private final Map<String, Object> onError;
  private final Clock clock;
  private final Map<WorkloadIdentity, Cached> cache;
  private final Map<WorkloadIdentity, CompletableFuture<Map<String, Object>>> inFlight = new ConcurrentHashMap<>();
  private final AtomicLong unlogged = new AtomicLong();
  private Instant nextWarn = Instant.MIN; // guarded by this

  private record Cached(Map<String, Object> signals, Instant expires) {}

  /** A call that did not yield signals; {@code reason} is safe to log (no body, no URL query). */
  private static final class Failure extends Exception {
    private static final long serialVersionUID = 1L;

    Failure(String reason) {
      super(reason, null, false, false);
    }
  }

  /**
   * @param http the client to call with (its SSL context carries the CA to trust); closed by {@link #close()}
   * @param maxEntries how many identities' answers are kept at most (least recently used go first)
   * @param onError the signals to use when the webhook cannot answer
   */
  public WebhookPostureSource(
      URI url,
      HttpClient http,
      Duration timeout,
      Duration cacheTtl,
      int maxEntries,
      Map<String, Object> onError,
      Clock clock) {
    this.url = requireNonNull(url, "url");
    this.where = url.getScheme() + "://" + url.getAuthority() + (url.getPath() == null ? "" : url.getPath());
    this.http = requireNonNull(http, "http");
    this.timeout = requireNonNull(timeout, "timeout");
    this.cacheTtl = requireNonNull(cacheTtl, "cacheTtl");
    this.onError = PostureValues.signals(requireNonNull(onError, "onError"));
    this.clock = requireNonNull(clock, "clock");
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries: " + maxEntries + " (expected: >= 1)");
    }
    this.cache = java.util.Collections.synchronizedMap(
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<WorkloadIdentity, Cached> eldest) {
            return size() > maxEntries;
          }
        });
  }

  @Override
  public Map<String, Object> signals(WorkloadIdentity identity) {
    Cached hit = cache.get(identity);
    if (hit != null && clock.instant().isBefore(hit.expires())) {
      return hit.signals();
    }
    // One call per identity at a time: when an answer expires under load, the callers waiting for the same
    // identity share the one request instead of each sending their own.
    CompletableFuture<Map<String, Object>> mine = new CompletableFuture<>();
    CompletableFuture<Map<String, Object>> running = inFlight.putIfAbsent(identity, mine);
    if (running != null) {
      return join(running);
    }
    try {
      Cached fresh = cache.get(identity); // another leader may have filled it since the first look
      Map<String, Object> signals =
          fresh != null && clock.instant().isBefore(fresh.expires()) ? fresh.signals() : fetch(identity);
      mine.complete(signals);
      return signals;
    } finally {
      mine.complete(onError); // no-op unless fetch threw: waiters are never left hanging
      inFlight.remove(identity, mine);
    }
  }

  private Map<String, Object> join(CompletableFuture<Map<String, Object>> running) {
    try {
      return running.get(timeout.toMillis() * 2 + 100, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return onError;
    } catch (ExecutionException | TimeoutException e) {
      return onError;
    }
  }

  private Map<String, Object> fetch(WorkloadIdentity identity) {
    Map<String, Object> signals;
    Duration ttl;
    try {
      signals = call(identity);
      ttl = cacheTtl;
    } catch (Failure f) {
      warn(identity, f.getMessage());
      signals = onError;
      ttl = cacheTtl.compareTo(FAILURE_TTL) < 0 ? cacheTtl : FAILURE_TTL;
    }
    if (ttl.isPositive()) {
      cache.put(identity, new Cached(signals, clock.instant().plus(ttl)));
    } else {
      cache.remove(identity);
    }
    return signals;
  }

  private Map<String, Object> call(WorkloadIdentity identity) throws Failure {
    HttpRequest request;
    try {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("identity", identity.id());
      body.put("attestor", identity.attestorKind());
      body.put("claims", identity.claims());
      request = HttpRequest.newBuilder(url)
          .timeout(timeout)
          .header("Content-Type", "application/json")
          .header("Accept", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
          .build();
    } catch (JsonProcessingException e) {
      throw new Failure("cannot encode the request (" + e.getOriginalMessage() + ")");
    }
    HttpResponse<byte[]> response = await(http.sendAsync(request, LimitedBody.handler(MAX_BODY_BYTES)));
    if (response.statusCode() / 100 != 2) {
      throw new Failure("status " + response.statusCode());
    }
    try {
      return PostureValues.signals(JSON.readTree(response.body()));
    } catch (JsonProcessingException e) {
      // Jackson's message quotes the body; the body is the webhook's and stays out of Minter's log.
      var at = e.getLocation();
      throw new Failure("answer is not one JSON document" + (at == null ? "" : " (line %d, column %d)"
          .formatted(at.getLineNr(), at.getColumnNr())));
    } catch (IOException | IllegalArgumentException e) {
      throw new Failure("unusable answer: " + e.getMessage());
    }
  }

  private HttpResponse<byte[]> await(CompletableFuture<HttpResponse<byte[]>> pending) throws Failure {
    try {
      return pending.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      pending.cancel(true); // aborts the exchange, so a slow body cannot tie up a connection
      throw new Failure("no answer within " + timeout);
    } catch (InterruptedException e) {
      pending.cancel(true);
      Thread.currentThread().interrupt();
      throw new Failure("interrupted");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof HttpTimeoutException) {
        throw new Failure("no answer within " + timeout);
      }
      if (cause instanceof LimitedBody.TooLarge || cause.getCause() instanceof LimitedBody.TooLarge) {
        throw new Failure("answer larger than " + MAX_BODY_BYTES + " bytes");
      }
      throw new Failure("unreachable (" + cause.getClass().getSimpleName() + ")");
    }
  }

  // One line per WARN_EVERY: a down webhook must not flood the log at the rate agents call.
  private void warn(WorkloadIdentity identity, String reason) {
    Instant now = clock.instant();
    synchronized (this) {
      if (now.isBefore(nextWarn)) {
        unlogged.incrementAndGet();
        return;
      }
      nextWarn = now.plus(WARN_EVERY);
    }
    log.warn(
        "posture webhook {} failed for {}: {}; using the on_error signals ({} earlier failures not logged)",
        where, identity.id(), reason, unlogged.getAndSet(0));
  }

  /** Stops the HTTP client this source was given. */
  @Override
  public void close() {
    http.shutdownNow();
  }
}
