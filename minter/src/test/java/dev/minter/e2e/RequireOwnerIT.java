package dev.minter.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minter.audit.AuditRecords;
import dev.minter.proto.v1.RegisterAgentRequest;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A policy with require_owner: agents without a registered owner cannot begin tasks until an operator registers one. */
class RequireOwnerIT {
  static final String AGENT = "spiffe://minter.local/agents/ownerless-bot";

  @TempDir static Path dir;
  static MinterFixture minter;

  @BeforeAll
  static void start() throws Exception {
    minter = new MinterFixture(dir);
    Files.writeString(dir.resolve("policy.yaml"), "require_owner: true\n" + MinterFixture.POLICY);
    minter.start();
    minter.svid("admin", MinterFixture.ADMIN);
  }

  @AfterAll
  static void stop() {
    minter.close();
  }

  @Test
  void beginTask_agentWithoutOwner_isDeniedAndAudited_thenAllowedOnceRegistered() throws Exception {
    try (Agent agent = new Agent(minter.channelFor(AGENT));
        Admins admin = new Admins(minter.channel("admin"))) {
      assertThatThrownBy(() -> agent.begin("report:x", 60, "analytics-ro"))
          .satisfies(e -> {
            Status status = Status.fromThrowable(e);
            assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(status.getDescription()).contains("has no registered owner");
          });
      assertThat(AuditRecords.read(minter.auditFile()).getLast())
          .containsEntry("event", "policy.deny")
          .containsEntry("rule", "require_owner")
          .containsEntry("identity", AGENT);

      admin.stub.registerAgent(
          RegisterAgentRequest.newBuilder().setIdentity(AGENT).setOwner("team-data").setDescription("reports").build());

      String taskId = agent.begin("report:x", 60, "analytics-ro").getTaskId();
      assertThat(agent.complete(taskId).getReason()).isEqualTo("complete");
    }
  }
}
