package dev.minter.posture;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.minter.attest.TestClock;
import dev.minter.attest.WorkloadIdentity;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/** The webhook source against a real HTTP server on loopback. */
class WebhookPostureSourceTest {
  static final WorkloadIdentity BOT =
      new WorkloadIdentity("spiffe://corp.example/agents/bot", "k8s_sat", Map.of("namespace", "ci"));
  static final WorkloadIdentity OTHER = new WorkloadIdentity("spiffe://corp.example/agents/other", "x509_svid", Map.of());
  static final WorkloadIdentity THIRD = new WorkloadIdentity("spiffe://corp.example/agents/third", "x509_svid", Map.of());
  static final Map<String, Object> ON_ERROR = Map.of("healthy", false, "source", "on_error");
  static final Duration TIMEOUT = Duration.ofMillis(300);

  /** What the test server does with one exchange. */
  @FunctionalInterface
  interface Answer {
    void answer(HttpExchange exchange) throws Exception;
  }

  final AtomicReference<Answer> answer = new AtomicReference<>(json(200, "{\"healthy\": true, \"patch_age_days\": 3}"));
  final List<String> requests = new CopyOnWriteArrayList<>();
  final TestClock clock = new TestClock(Instant.parse("2026-11-30T08:00:00Z"));
  HttpServer server;
  WebhookPostureSource source;

  static Answer json(int status, String body) {
    return ex -> {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    };
  }

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/posture", ex -> {
      requests.add(ex.getRequestMethod() + " " + ex.getRequestHeaders().getFirst("Content-Type") + " "
          + new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      try {
        answer.get().answer(ex);
      } catch (Exception e) {
        // the client gave up (timeout test): nothing to answer
      } finally {
        ex.close();
      }
    });
    server.start();
    source = source(Duration.ofSeconds(30), 100);
  }

  WebhookPostureSource source(Duration cacheTtl, int maxEntries) {
    URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/posture");
    return new WebhookPostureSource(url, HttpClient.newHttpClient(), TIMEOUT, cacheTtl, maxEntries, ON_ERROR, clock);
  }

  @AfterEach
  void stop() {
    source.close();
    server.stop(0);
  }

  @Test
  void signals_okAnswer_postsTheIdentityAndReturnsTheNormalizedSignals() throws Exception {
    assertThat(source.signals(BOT)).isEqualTo(Map.of("healthy", true, "patch_age_days", 3L));

    assertThat(requests).singleElement().satisfies(r -> {
      assertThat(r).startsWith("POST application/json ");
      assertThat(new ObjectMapper().readValue(r.substring(r.indexOf('{')), Map.class)).isEqualTo(Map.of(
          "identity", "spiffe://corp.example/agents/bot", "attestor", "k8s_sat", "claims", Map.of("namespace", "ci")));
    });
  }

  @Test
  void signals_repeatedWithinCacheTtl_asksOnce_thenAgainAfterExpiry() {
    source.signals(BOT);
    clock.advance(Duration.ofSeconds(29));
    answer.set(json(200, "{\"healthy\": false}"));

    assertThat(source.signals(BOT)).containsEntry("healthy", true);
    assertThat(requests).hasSize(1);

    clock.advance(Duration.ofSeconds(2));
    assertThat(source.signals(BOT)).isEqualTo(Map.of("healthy", false));
    assertThat(requests).hasSize(2);
  }

  @Test
  void signals_concurrentCallersForOneIdentity_shareOneRequest() throws Exception {
    Answer ok = json(200, "{\"healthy\": true}");
    answer.set(ex -> {
      Thread.sleep(150);
      ok.answer(ex);
    });
    try (var callers = Executors.newVirtualThreadPerTaskExecutor()) {
      var results = new java.util.ArrayList<java.util.concurrent.Future<Map<String, Object>>>();
      for (int i = 0; i < 8; i++) {
        results.add(callers.submit(() -> source.signals(BOT)));
      }
      for (var result : results) {
        assertThat(result.get()).isEqualTo(Map.of("healthy", true));
      }
    }
    assertThat(requests).hasSize(1);
  }

  @Test
  void signals_cacheFull_evictsTheLeastRecentlyUsedIdentity() {
    source.close();
    source = source(Duration.ofMinutes(5), 2);
    source.signals(BOT);
    source.signals(OTHER);
    source.signals(BOT);
    source.signals(THIRD); // evicts OTHER, the least recently used

    source.signals(BOT);
    assertThat(requests).hasSize(3);
    source.signals(OTHER);
    assertThat(requests).hasSize(4);
  }

  static Stream<Arguments> failures() {
    String big = "{\"pad\": \"" + "x".repeat(WebhookPostureSource.MAX_BODY_BYTES) + "\"}";
    return Stream.of(
        Arguments.of("status 500", json(500, "{\"healthy\": true}")),
        Arguments.of("status 403", json(403, "")),
        Arguments.of("redirect", (Answer) ex -> {
          ex.getResponseHeaders().set("Location", "http://127.0.0.1:1/elsewhere");
          ex.sendResponseHeaders(302, -1);
        }),
        Arguments.of("not JSON", json(200, "healthy=true")),
        Arguments.of("JSON array", json(200, "[{\"healthy\": true}]")),
        Arguments.of("JSON string", json(200, "\"healthy\"")),
        Arguments.of("trailing garbage", json(200, "{\"healthy\": true} {}")),
        Arguments.of("empty body", json(200, "")),
        Arguments.of("oversized with length", json(200, big)),
        Arguments.of("oversized chunked", (Answer) ex -> {
          ex.sendResponseHeaders(200, 0); // chunked: no length to refuse up front
          try (OutputStream out = ex.getResponseBody()) {
            out.write(big.getBytes(StandardCharsets.UTF_8));
          }
        }),
        Arguments.of("no answer within the timeout", (Answer) ex -> Thread.sleep(3_000)),
        Arguments.of("headers in time, body trickles past the timeout", (Answer) ex -> {
          ex.sendResponseHeaders(200, 0);
          OutputStream out = ex.getResponseBody();
          out.write('{');
          out.flush();
          Thread.sleep(3_000);
          out.write("}".getBytes(StandardCharsets.UTF_8));
          out.close();
        }));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("failures")
  void signals_webhookFails_returnsOnErrorSignalsWithinTheTimeout(String name, Answer failure) {
    answer.set(failure);

    long started = System.nanoTime();
    Map<String, Object> signals = source.signals(BOT);
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertThat(signals).isEqualTo(ON_ERROR);
    assertThat(took).isLessThan(TIMEOUT.plusSeconds(1));
  }

  @Test
  void signals_webhookUnreachable_returnsOnErrorSignals() {
    server.stop(0);

    assertThat(source.signals(BOT)).isEqualTo(ON_ERROR);
  }

  @Test
  void signals_afterAFailure_retriesWithinSeconds_notAfterTheFullCacheTtl() {
    answer.set(json(500, ""));
    assertThat(source.signals(BOT)).isEqualTo(ON_ERROR);
    answer.set(json(200, "{\"healthy\": true}"));

    assertThat(source.signals(BOT)).isEqualTo(ON_ERROR); // a down webhook is not asked on every call
    assertThat(requests).hasSize(1);
    clock.advance(WebhookPostureSource.FAILURE_TTL.plusMillis(1));
    assertThat(source.signals(BOT)).isEqualTo(Map.of("healthy", true));
    assertThat(requests).hasSize(2);
  }

  @Test
  void signals_repeatedFailures_logOneWarningPerWindowWithoutTheBody() {
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    Logger logger = (Logger) LoggerFactory.getLogger(WebhookPostureSource.class);
    logger.addAppender(logs);
    try {
      answer.set(json(200, "secret-looking-body"));
      source.signals(BOT);
      source.signals(OTHER);
      source.signals(THIRD);
      assertThat(logs.list).singleElement().satisfies(e -> {
        assertThat(e.getLevel()).isEqualTo(Level.WARN);
        assertThat(e.getFormattedMessage()).contains(BOT.id()).contains("not one JSON document")
            .doesNotContain("secret-looking-body");
      });

      clock.advance(Duration.ofSeconds(31));
      source.signals(BOT);
      assertThat(logs.list).hasSize(2);
      assertThat(logs.list.get(1).getFormattedMessage()).contains("2 earlier failures not logged");
    } finally {
      logger.detachAppender(logs);
    }
  }

  @Test
  void signals_defaultOnError_isNoSignalsAtAll() {
    source.close();
    URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/posture");
    source = new WebhookPostureSource(url, HttpClient.newHttpClient(), TIMEOUT, Duration.ZERO, 10, Map.of(), clock);
    answer.set(json(503, ""));

    assertThat(source.signals(BOT)).isEmpty();
  }
}
