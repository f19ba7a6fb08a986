package dev.minter.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.minter.audit.AuditRecords;
import io.grpc.Status;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rule that reads {@code posture.*} against a real posture webhook: allowed while the webhook vouches for the
 * caller, denied on the next MintCredential of the same open task once the webhook fails (fail closed).
 */
class PostureWebhookIT {
  static final String GATED = "spiffe://minter.local/posture/edge-bot";
  static final String POLICY = MinterFixture.POLICY
      + """
        - id: posture-gated
          identities: ["spiffe://minter.local/posture/*"]
          roles: [analytics-ro]
          purposes: ["report:*"]
          max_ttl: 5m
          when:
            - {name: patched, expr: 'posture.patched == true'}
      """;

  @TempDir static Path dir;
  static HttpServer webhook;
  static final AtomicReference<String> answer = new AtomicReference<>();
  static final AtomicReference<Integer> status = new AtomicReference<>(200);
  static final List<String> asked = new CopyOnWriteArrayList<>();
  static MinterFixture minter;

  @BeforeAll
  static void start() throws Exception {
    webhook = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    webhook.createContext("/signals", ex -> {
      asked.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      byte[] body = answer.get().getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(status.get(), body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    });
    webhook.start();
    String url = "http://127.0.0.1:" + webhook.getAddress().getPort() + "/signals";
    // cache_ttl 0s: every decision asks, so the test needs no clock games.
    minter = new MinterFixture(dir, "posture: {source: webhook, url: \"" + url + "\", timeout: 2s, cache_ttl: 0s}\n");
    Files.writeString(dir.resolve("policy.yaml"), POLICY);
    minter.start();
  }

  @AfterAll
  static void stop() {
    minter.close();
    webhook.stop(0);
  }

  @Test
  void mint_postureGatedRule_allowedWhileWebhookVouches_deniedOnTheSameTaskWhenItFails() throws Exception {
    answer.set("{\"patched\": true}");
    try (Agent agent = new Agent(minter.channelFor(GATED))) {
      String taskId = agent.begin("report:edge", 120, "analytics-ro").getTaskId();
      assertThat(agent.mint(taskId, "analytics-ro").getLeaseId()).startsWith("database/creds/analytics-ro/");
      assertThat(asked).isNotEmpty().allSatisfy(body -> assertThat(body).contains(GATED).contains("x509_svid"));

      answer.set("{\"patched\": false}");
      assertThatThrownBy(() -> agent.mint(taskId, "analytics-ro"))
          .satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));

      status.set(500);
      answer.set("{\"patched\": true}"); // a body with the right words, but an error status: not an answer
      assertThatThrownBy(() -> agent.mint(taskId, "analytics-ro"))
          .satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
      assertThat(lastDeny()).containsEntry("task", taskId).containsEntry("rule", "posture-gated");

      status.set(200);
      assertThat(agent.mint(taskId, "analytics-ro").getLeaseId()).startsWith("database/creds/analytics-ro/");
      assertThat(agent.complete(taskId).getReason()).isEqualTo("complete");
    }
  }

  private static Map<String, Object> lastDeny() throws Exception {
    return AuditRecords.read(minter.auditFile()).stream().filter(r -> "policy.deny".equals(r.get("event"))).toList()
        .getLast();
  }
}
