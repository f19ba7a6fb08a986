package dev.minter.policy;

import static dev.minter.policy.PolicyReloaderTest.ROLE_KINDS;
import static dev.minter.policy.PolicyReloaderTest.decide;
import static dev.minter.policy.PolicyReloaderTest.policy;
import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watcher picks up the ways files really change in place. The event tests poll only hourly, so a pass proves
 * the folder event (not the poll) triggered the reload.
 */
class PolicyWatchTest {
  private static final Duration HOURLY = Duration.ofHours(1);
  private static final Duration QUICKLY = Duration.ofSeconds(10);

  @TempDir Path dir;
  final RecordingAuditLog audit = new RecordingAuditLog();
  PolicyReloader reloader;

  @AfterEach
  void tearDown() {
    if (reloader != null) {
      reloader.close();
    }
  }

  private PolicyReloader watch(Path file, Duration interval) throws Exception {
    reloader = PolicyReloader.load(file, ROLE_KINDS, audit);
    reloader.watch(interval);
    return reloader;
  }

  private void awaitRule(String rule) {
    await().atMost(QUICKLY).untilAsserted(() -> assertThat(decide(reloader.get(), "billing-rw"))
        .isInstanceOfSatisfying(Decision.Allow.class, a -> assertThat(a.grant().rule()).isEqualTo(rule)));
  }

  @Test
  void watch_editorWritesTempFileAndRenamesItIntoPlace_reloads() throws Exception {
    Path file = Files.writeString(dir.resolve("policy.yaml"), policy("v1", "analytics-ro"));
    watch(file, HOURLY);

    Path temp = Files.writeString(dir.resolve(".policy.yaml.swp"), policy("v2", "billing-rw"));
    Files.move(temp, file, ATOMIC_MOVE, REPLACE_EXISTING);

    awaitRule("v2");
    assertThat(audit.events(PolicyReloader.RELOAD_EVENT)).singleElement()
        .satisfies(e -> assertThat(e.fields()).containsEntry("trigger", "watch").containsEntry("outcome", "ok"));
  }

  @Test
  void watch_fileWrittenInPlace_reloads() throws Exception {
    Path file = Files.writeString(dir.resolve("policy.yaml"), policy("v1", "analytics-ro"));
    watch(file, HOURLY);

    Files.writeString(file, policy("v2", "billing-rw"));

    awaitRule("v2");
  }

  /** Kubernetes mounts a ConfigMap as policy.yaml → ..data/policy.yaml, ..data → ..&lt;timestamp&gt;, and swaps ..data. */
  @Test
  void watch_configMapSymlinkSwap_reloads() throws Exception {
    Files.createDirectory(dir.resolve("..2026_11_30_v1"));
    Files.writeString(dir.resolve("..2026_11_30_v1/policy.yaml"), policy("v1", "analytics-ro"));
    Files.createSymbolicLink(dir.resolve("..data"), Path.of("..2026_11_30_v1"));
    Path file = Files.createSymbolicLink(dir.resolve("policy.yaml"), Path.of("..data/policy.yaml"));
    watch(file, HOURLY);

    Files.createDirectory(dir.resolve("..2026_11_30_v2"));
    Files.writeString(dir.resolve("..2026_11_30_v2/policy.yaml"), policy("v2", "billing-rw"));
    Files.createSymbolicLink(dir.resolve("..data_tmp"), Path.of("..2026_11_30_v2"));
    Files.move(dir.resolve("..data_tmp"), dir.resolve("..data"), ATOMIC_MOVE, REPLACE_EXISTING);

    awaitRule("v2");
  }

  /** A symlink into another folder: no event reaches the watched folder, so only the periodic hash sees it. */
  @Test
  void watch_changeWithoutEventInTheFolder_isFoundByThePeriodicHash() throws Exception {
    Path elsewhere = Files.createDirectory(dir.resolve("elsewhere"));
    Path real = Files.writeString(elsewhere.resolve("policy.yaml"), policy("v1", "analytics-ro"));
    Path watched = Files.createDirectory(dir.resolve("watched"));
    Path file = Files.createSymbolicLink(watched.resolve("policy.yaml"), real);
    watch(file, Duration.ofMillis(100));

    Files.writeString(real, policy("v2", "billing-rw"));

    awaitRule("v2");
    assertThat(audit.events(PolicyReloader.RELOAD_EVENT)).singleElement()
        .satisfies(e -> assertThat(e.fields()).containsEntry("trigger", "poll"));
  }

  @Test
  void watch_invalidFileThenFixed_keepsOldPolicyThenReloadsTheFix() throws Exception {
    Path file = Files.writeString(dir.resolve("policy.yaml"), policy("v1", "analytics-ro"));
    watch(file, Duration.ofMillis(100));

    Files.writeString(file, "roles: [unclosed\n");
    await().atMost(QUICKLY).until(() -> !audit.events(PolicyReloader.RELOAD_EVENT).isEmpty());
    assertThat(decide(reloader.get(), "analytics-ro")).isInstanceOf(Decision.Allow.class);

    Files.writeString(file, policy("v2", "billing-rw"));
    awaitRule("v2");
    assertThat(audit.events(PolicyReloader.RELOAD_EVENT))
        .extracting(e -> e.fields().get("outcome"))
        .containsExactly("rejected", "ok");
  }

  @Test
  void close_stopsTheWatcher_laterChangesAreNotPickedUp() throws Exception {
    Path file = Files.writeString(dir.resolve("policy.yaml"), policy("v1", "analytics-ro"));
    watch(file, Duration.ofMillis(50));
    assertThat(reloader.isWatching()).isTrue();

    reloader.close();
    assertThat(reloader.isWatching()).isFalse();
    Files.writeString(file, policy("v2", "billing-rw"));
    Thread.sleep(300);

    assertThat(decide(reloader.get(), "billing-rw")).isInstanceOf(Decision.Deny.class);
    assertThat(audit.events(PolicyReloader.RELOAD_EVENT)).isEmpty();
  }
}
