package dev.minter.e2e;

import static dev.minter.e2e.MinterFixture.AGENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.minter.audit.AuditRecords;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A running server follows its policy file: a role dropped from the policy is refused on the next MintCredential
 * of a task that is already open, and a broken file leaves the server serving under the last good policy.
 */
class PolicyReloadIT {
  @TempDir static Path dir;
  static MinterFixture minter;

  /** The fixture's policy with analytics-ro taken away from the agents rule. */
  static final String WITHOUT_ANALYTICS =
      MinterFixture.POLICY.replace("roles: [analytics-ro, vault-token]", "roles: [vault-token]");

  @BeforeAll
  static void start() throws Exception {
    assertThat(WITHOUT_ANALYTICS).isNotEqualTo(MinterFixture.POLICY);
    // A posture file too: the server builds its posture source from the config and starts with it.
    Files.writeString(dir.resolve("posture.yaml"), "\"spiffe://minter.local/agents/*\": {patched: true}\n");
    minter = new MinterFixture(
            dir, "policy_reload: {interval: 200ms}\nposture: {source: file, file: posture.yaml}\n")
        .start();
  }

  @AfterAll
  static void stop() {
    minter.close();
  }

  @Test
  void mint_afterPolicyDropsTheRole_isDeniedOnTheSameOpenTask_andAnInvalidFileKeepsThatPolicy() throws Exception {
    Path policyFile = dir.resolve("policy.yaml");
    String originalSha = sha256(MinterFixture.POLICY);
    assertThat(records("policy.load")).singleElement()
        .satisfies(r -> assertThat(r).containsEntry("sha256", originalSha));

    try (Agent agent = new Agent(minter.channelFor(AGENT))) {
      String taskId = agent.begin("report:weekly", 300, "analytics-ro", "vault-token").getTaskId();
      assertThat(agent.mint(taskId, "analytics-ro").getLeaseId()).startsWith("database/creds/analytics-ro/");

      // Deploy the narrower policy the way editors and config tools do: write elsewhere, rename into place.
      Path staged = Files.writeString(dir.resolve("policy.yaml.new"), WITHOUT_ANALYTICS);
      Files.move(staged, policyFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      String narrowerSha = sha256(WITHOUT_ANALYTICS);
      await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(records("policy.reload"))
          .anySatisfy(r -> assertThat(r)
              .containsEntry("outcome", "ok")
              .containsEntry("sha256", narrowerSha)
              .containsEntry("previous_sha256", originalSha)));

      assertThatThrownBy(() -> agent.mint(taskId, "analytics-ro")).satisfies(e -> {
        Status status = Status.fromThrowable(e);
        assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      });
      assertThat(records("policy.deny")).last()
          .satisfies(r -> assertThat(r).containsEntry("task", taskId).containsEntry("role", "analytics-ro"));
      assertThat(agent.mint(taskId, "vault-token").getKind()).isEqualTo("vault-token"); // the task is still open

      Files.writeString(policyFile, WITHOUT_ANALYTICS + "rules_typo: []\n");
      await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(records("policy.reload"))
          .anySatisfy(r -> assertThat(r)
              .containsEntry("outcome", "rejected")
              .containsEntry("previous_sha256", narrowerSha)
              .hasEntrySatisfying("reason", reason -> assertThat((String) reason).contains("rules_typo"))));

      // Still serving, still under the narrower policy.
      assertThat(agent.mint(taskId, "vault-token").getKind()).isEqualTo("vault-token");
      assertThatThrownBy(() -> agent.mint(taskId, "analytics-ro"))
          .satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
      assertThat(agent.complete(taskId).getReason()).isEqualTo("complete");
    }
  }

  private static List<Map<String, Object>> records(String event) throws Exception {
    return AuditRecords.read(minter.auditFile()).stream().filter(r -> event.equals(r.get("event"))).toList();
  }

  private static String sha256(String text) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
  }
}
