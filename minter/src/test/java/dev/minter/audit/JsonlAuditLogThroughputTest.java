package dev.minter.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prints appends per second against a real file with real fsyncs. A measurement for the report, not a benchmark
 * (no warm-up discipline) and deliberately not an assertion on time, which would make the build flaky.
 */
class JsonlAuditLogThroughputTest {
  @TempDir Path dir;

  @Test
  void append_singleAndConcurrentWriters_reportsRate() throws Exception {
    double single = measure(dir.resolve("single.jsonl"), 1, 500);
    double concurrent = measure(dir.resolve("concurrent.jsonl"), 16, 200);

    System.out.printf(
        "audit throughput (%s): 1 thread %.0f appends/s, 16 threads %.0f appends/s%n", dir, single, concurrent);
    assertThat(AuditVerifier.verify(dir.resolve("concurrent.jsonl")).ok()).isTrue();
  }

  private static double measure(Path file, int threads, int perThread) throws Exception {
    try (JsonlAuditLog log = JsonlAuditLog.open(file, Clock.systemUTC())) {
      log.append(JsonlAuditLogTest.begin("warm-up"));
      long start = System.nanoTime();
      JsonlAuditLogTest.runConcurrently(threads, perThread, i -> log.append(JsonlAuditLogTest.begin("t-" + i)));
      return threads * perThread / ((System.nanoTime() - start) / 1e9);
    }
  }
}
