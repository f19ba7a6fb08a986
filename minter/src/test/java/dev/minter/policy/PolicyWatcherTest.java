package dev.minter.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which folder events wake the watcher: the policy file's, not those of its neighbours (audit log, ledger). */
class PolicyWatcherTest {
  @TempDir Path dir;

  @Test
  void watcher_neighbourFilesChange_noCheck_policyFileChanges_oneCheck() throws Exception {
    Path file = Files.writeString(dir.resolve("policy.yaml"), "v1");
    List<String> checks = new CopyOnWriteArrayList<>();
    try (PolicyWatcher watcher = new PolicyWatcher(file, Duration.ofHours(1), checks::add)) {
      for (int i = 0; i < 20; i++) {
        Files.writeString(dir.resolve("audit.jsonl"), "line " + i + "\n");
        Files.writeString(dir.resolve("ledger.db-journal"), "x");
      }
      Thread.sleep(400);
      assertThat(checks).isEmpty();

      Files.writeString(file, "v2");
      await().atMost(Duration.ofSeconds(10)).until(() -> !checks.isEmpty());
      Thread.sleep(300);
      assertThat(checks).containsExactly("watch"); // one burst, one check
    }
  }

  @Test
  void watcher_noEvents_checksEveryInterval() throws Exception {
    Path file = Files.writeString(dir.resolve("policy.yaml"), "v1");
    List<String> checks = new CopyOnWriteArrayList<>();
    try (PolicyWatcher watcher = new PolicyWatcher(file, Duration.ofMillis(50), checks::add)) {
      await().atMost(Duration.ofSeconds(10)).until(() -> checks.size() >= 3);
      assertThat(checks).containsOnly("poll");
    }
  }
}
