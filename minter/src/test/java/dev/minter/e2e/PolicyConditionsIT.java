package dev.minter.e2e;

import static dev.minter.e2e.MinterFixture.AGENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Duration;
import dev.minter.proto.v1.BeginTaskRequest;
import dev.minter.proto.v1.BeginTaskResponse;
import dev.minter.proto.v1.MintCredentialResponse;
import dev.minter.proto.v1.MinterGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Policy v1 through a real server, OpenBao and PostgreSQL: CEL conditions over the task's context and a role's
 * requirements decide BeginTask, and are decided again at MintCredential.
 */
class PolicyConditionsIT {
  static final String POLICY =
      """
      admins: ["spiffe://minter.local/operators/*"]
      roles:
        analytics-ro:
          kind: database
          path: database/creds/analytics-ro
          vault_policies: [task-analytics-ro]
          sensitivity: medium
          classification: internal
          requires: {max_ttl: 10m, purposes: ["report:weekly", "report:daily"]}
      rules:
        - id: agents
          identities: ["spiffe://minter.local/agents/*"]
          roles: [analytics-ro]
          purposes: ["report:*"]
          max_ttl: 15m
          when:
            - {name: ticket, expr: 'request.labels["ticket"].startsWith("INC-")'}
            - {name: mtls, expr: 'identity.attestor == "x509_svid" && identity.trust_domain == "minter.local"'}
            - {name: not-critical, expr: 'resource.sensitivity != "critical" && resource.classification == "internal"'}
            - {name: time-left, expr: 'request.ttl_seconds >= 30'}
      """;

  @TempDir static Path dir;
  static MinterFixture minter;
  static ManagedChannel channel;

  @BeforeAll
  static void start() throws Exception {
    minter = new MinterFixture(dir);
    Files.writeString(dir.resolve("policy.yaml"), POLICY); // read when the server starts
    minter.start();
    channel = minter.channelFor(AGENT);
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    minter.close();
  }

  private static BeginTaskResponse begin(String purpose, long ttlSeconds, String ticket) {
    return MinterGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS).beginTask(
        BeginTaskRequest.newBuilder().setPurpose(purpose).setTtl(Duration.newBuilder().setSeconds(ttlSeconds))
            .addRoles("analytics-ro").putLabels("ticket", ticket).build());
  }

  @Test
  void beginAndMint_conditionsHold_credentialWorks() throws Exception {
    try (Agent agent = new Agent(minter.channelFor(AGENT))) {
      BeginTaskResponse task = begin("report:weekly", 300, "INC-42");
      MintCredentialResponse cred = agent.mint(task.getTaskId(), "analytics-ro");

      assertThat(task.getRule()).isEqualTo("agents");
      assertThat(Postgres.countReportsAs(cred.getDatabase().getUsername(), cred.getDatabase().getPassword()))
          .isPositive();
      agent.complete(task.getTaskId());
    }
  }

  @Test
  void begin_conditionFails_deniedNamingTheCondition() {
    assertThatThrownBy(() -> begin("report:weekly", 300, "CHG-7"))
        .satisfies(e -> {
          Status status = Status.fromThrowable(e);
          assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
          assertThat(status.getDescription()).contains("condition 'ticket' of rule 'agents' does not hold");
        });
  }

  @Test
  void begin_roleRequirementsUnmet_deniedWithActionableReason() {
    assertThatThrownBy(() -> begin("report:adhoc", 300, "INC-1"))
        .satisfies(e -> assertThat(Status.fromThrowable(e).getDescription())
            .contains("role 'analytics-ro' may only be used for the purposes: report:weekly, report:daily"));
    assertThatThrownBy(() -> begin("report:weekly", 900, "INC-1"))
        .satisfies(e -> assertThat(Status.fromThrowable(e).getDescription())
            .contains("ttl PT15M exceeds the maximum PT10M of role 'analytics-ro'"));
  }

  @Test
  void mint_conditionStopsHoldingDuringTask_deniedAtTheNextCall() throws Exception {
    try (Agent agent = new Agent(minter.channelFor(AGENT))) {
      BeginTaskResponse task = begin("report:daily", 34, "INC-9");
      agent.mint(task.getTaskId(), "analytics-ro");

      // time-left: request.ttl_seconds is the task's remaining time at MintCredential; under 30s it no longer holds.
      await().atMost(java.time.Duration.ofSeconds(20)).pollInterval(java.time.Duration.ofSeconds(1))
          .untilAsserted(() -> assertThatThrownBy(() -> agent.mint(task.getTaskId(), "analytics-ro"))
              .satisfies(e -> assertThat(Status.fromThrowable(e).getDescription())
                  .contains("condition 'time-left' of rule 'agents' does not hold")));
    }
  }
}
