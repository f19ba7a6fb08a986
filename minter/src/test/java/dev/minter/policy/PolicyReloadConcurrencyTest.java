package dev.minter.policy;

import static dev.minter.policy.PolicyReloaderTest.ROLE_KINDS;
import static dev.minter.policy.PolicyReloaderTest.AGENT;
import static dev.minter.policy.PolicyReloaderTest.policy;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many callers decide while the policy flips between two versions: each decision is exactly one policy's. */
class PolicyReloadConcurrencyTest {
  @TempDir Path dir;

  // The two versions disagree on every field a decision carries (rule, roles allowed, TTL cap), so a decision
  // mixing them — or one made against a half-built policy — would match neither expectation.
  private static final String A = policy("version-a", "analytics-ro");
  private static final String B = policy("version-b", "analytics-ro").replace("max_ttl: 15m", "max_ttl: 5m");

  @Test
  void get_whileReloadsAlternate_everyDecisionIsConsistentWithExactlyOnePolicy() throws Exception {
    Path file = Files.writeString(dir.resolve("policy.yaml"), A);
    RecordingAuditLog audit = new RecordingAuditLog();
    PolicyRequest request = new PolicyRequest(AGENT, "demo", List.of("analytics-ro"), Optional.of(Duration.ofMinutes(10)));
    Decision underA = PolicyFile.parse(A, "a").decide(request);
    Decision underB = PolicyFile.parse(B, "b").decide(request);
    assertThat(underA).isNotEqualTo(underB);

    try (PolicyReloader reloader = PolicyReloader.load(file, ROLE_KINDS, audit);
        ExecutorService callers = Executors.newFixedThreadPool(8)) {
      reloader.watch(Duration.ofMillis(5)); // the watcher races the explicit reloads too
      AtomicBoolean done = new AtomicBoolean();
      Set<Decision> seen = ConcurrentHashMap.newKeySet();
      CountDownLatch started = new CountDownLatch(8);
      List<Future<Integer>> results = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        results.add(callers.submit(() -> {
          started.countDown();
          int n = 0;
          while (!done.get()) {
            Decision d = reloader.get().decide(request);
            assertThat(d).isIn(underA, underB);
            seen.add(d);
            n++;
          }
          return n;
        }));
      }
      started.await();
      for (int i = 0; i < 60; i++) {
        Files.writeString(file, i % 2 == 0 ? B : A);
        reloader.reloadNow();
        Thread.sleep(2);
      }
      done.set(true);
      for (Future<Integer> f : results) {
        assertThat(f.get()).isPositive(); // get() rethrows any assertion failure or exception of a caller
      }
      assertThat(seen).containsExactlyInAnyOrder(underA, underB);
      assertThat(audit.events(PolicyReloader.RELOAD_EVENT))
          .hasSizeGreaterThanOrEqualTo(60)
          .allSatisfy(e -> assertThat(e.fields().get("outcome")).isIn("ok", "rejected"));
    }
  }
}
