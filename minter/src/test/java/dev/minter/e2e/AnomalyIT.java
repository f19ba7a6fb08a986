package dev.minter.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minter.audit.AuditRecords;
import io.grpc.Status;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Anomaly detection end to end (real OpenBao and PostgreSQL): with {@code new_role: deny} and a one-call learning
 * period, an agent that has only ever used one role is refused a task with another, the refusal is audited as
 * {@code anomaly.new_role} and counted on the metrics endpoint, and the known role keeps working.
 */
class AnomalyIT {
  static final String AGENT = "spiffe://minter.local/agents/anomaly-bot";

  @TempDir static Path dir;
  static MinterFixture minter;
  static int metricsPort;

  @BeforeAll
  static void start() throws Exception {
    try (ServerSocket free = new ServerSocket(0)) {
      metricsPort = free.getLocalPort();
    }
    minter = new MinterFixture(dir, "metrics:\n  listen: 127.0.0.1:" + metricsPort + "\n");
    Files.writeString(
        dir.resolve("policy.yaml"),
        MinterFixture.POLICY + "anomalies:\n  new_role: {action: deny, learning: 0s, learning_events: 1}\n");
    minter.start();
  }

  @AfterAll
  static void stop() {
    minter.close();
  }

  @Test
  void beginTask_roleNeverUsedAfterLearning_isDeniedAuditedAndCounted_knownRoleStillWorks() throws Exception {
    try (Agent agent = new Agent(minter.channelFor(AGENT))) {
      String first = agent.begin("report:daily", 60, "analytics-ro").getTaskId();
      agent.mint(first, "analytics-ro");
      agent.complete(first);

      assertThatThrownBy(() -> agent.begin("report:daily", 60, "vault-token"))
          .satisfies(e -> {
            Status status = Status.fromThrowable(e);
            assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(status.getDescription()).contains("anomaly new_role: first use of role 'vault-token'");
          });
      List<Map<String, Object>> records = AuditRecords.read(minter.auditFile());
      assertThat(records.getLast())
          .containsEntry("event", "anomaly.new_role")
          .containsEntry("identity", AGENT)
          .containsEntry("role", "vault-token")
          .containsEntry("decision", "deny")
          .containsEntry("observation", "first use of role 'vault-token'");
      assertThat(records).noneMatch(r -> "task.begin".equals(r.get("event")) && "vault-token".equals(r.get("role")));

      String again = agent.begin("report:daily", 60, "analytics-ro").getTaskId();
      assertThat(agent.complete(again).getReason()).isEqualTo("complete");
    }
    HttpResponse<String> metrics = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.body())
        .contains("minter_anomalies_total{action=\"deny\",kind=\"new_role\"} 1.0")
        .contains("minter_tasks_begun_total 2.0");
  }
}
