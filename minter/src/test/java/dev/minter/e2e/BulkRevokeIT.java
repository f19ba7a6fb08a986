package dev.minter.e2e;

import static dev.minter.e2e.Admins.assertRefused;
import static dev.minter.e2e.Admins.assertWorks;
import static dev.minter.e2e.Admins.receiptTaskIds;
import static dev.minter.e2e.Admins.summary;
import static dev.minter.e2e.MinterFixture.ADMIN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minter.proto.v1.MintCredentialResponse;
import dev.minter.proto.v1.RevokeEvent;
import dev.minter.proto.v1.RevokeSummary;
import dev.minter.proto.v1.TaskInfo;
import dev.minter.proto.v1.TaskSelector;
import dev.minter.proto.v1.TaskState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Revoking in bulk: a thousand tasks of one agent, and {@code all}. */
class BulkRevokeIT {
  static final String BULK_AGENT = "spiffe://minter.local/agents/bulk-bot";
  static final int TASKS = 1000;

  @TempDir static Path dir;
  static MinterFixture minter;
  static Admins admin;

  @BeforeAll
  static void start() throws Exception {
    minter = new MinterFixture(dir).start();
    minter.svid("admin", ADMIN);
    admin = new Admins(minter.channel("admin"));
  }

  @AfterAll
  static void stop() throws Exception {
    admin.close();
    minter.close();
  }

  @Test
  void byAgent_thousandTasks_allEndRevoked_withAReceiptEach_andProgressAlongTheWay() throws Exception {
    List<String> ids = new ArrayList<>();
    List<MintCredentialResponse> creds = new ArrayList<>();
    try (Agent agent = new Agent(minter.channelFor(BULK_AGENT));
        ExecutorService pool = Executors.newFixedThreadPool(16)) {
      List<Future<String>> begun = new ArrayList<>();
      for (int i = 0; i < TASKS; i++) {
        begun.add(pool.submit(() -> agent.begin("report:bulk", 600, "analytics-ro").getTaskId()));
      }
      for (Future<String> f : begun) {
        ids.add(f.get());
      }
      for (String id : ids.subList(0, 5)) { // a few real database logins; the rest hold only a task token
        MintCredentialResponse cred = agent.mint(id, "analytics-ro");
        assertWorks(cred);
        creds.add(cred);
      }
    }

    long started = System.nanoTime();
    List<RevokeEvent> events = admin.revoke(TaskSelector.newBuilder().setAgent(BULK_AGENT).build(), "bulk", false);
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    System.out.printf("bulk revoke of %d tasks took %d ms%n", TASKS, took.toMillis());

    assertThat(summary(events)).isEqualTo(RevokeSummary.newBuilder().setMatched(TASKS).setRevoked(TASKS).build());
    assertThat(receiptTaskIds(events)).hasSize(TASKS).containsExactlyInAnyOrderElementsOf(ids);
    assertThat(events.stream().filter(RevokeEvent::hasProgress).count()).isGreaterThanOrEqualTo(TASKS / 50);
    for (MintCredentialResponse cred : creds) {
      assertRefused(cred);
    }
    List<TaskInfo> listed = admin.list(TaskSelector.newBuilder().setAgent(BULK_AGENT).build(), 300);
    assertThat(listed).hasSize(TASKS).allSatisfy(t -> assertThat(t.getState()).isEqualTo(TaskState.TASK_STATE_REVOKED));
  }

  @Test
  void all_revokesEveryOpenTask_ofEveryAgent() throws Exception {
    try (Agent a = new Agent(minter.channelFor("spiffe://minter.local/agents/all-a"));
        Agent b = new Agent(minter.channelFor("spiffe://minter.local/agents/all-b"))) {
      RevokeBySelectorIT.Live first = RevokeBySelectorIT.live(a, "report:all");
      RevokeBySelectorIT.Live second = RevokeBySelectorIT.live(b, "demo");

      List<RevokeEvent> events = admin.revoke(TaskSelector.newBuilder().setAll(true).build(), "all", false);

      assertThat(receiptTaskIds(events)).contains(first.taskId(), second.taskId());
      assertRefused(first.cred());
      assertRefused(second.cred());
      assertThat(admin.list(TaskSelector.newBuilder().setState(TaskState.TASK_STATE_OPEN).build(), 100)).isEmpty();
    }
  }
}
