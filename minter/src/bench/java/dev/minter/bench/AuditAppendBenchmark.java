package dev.minter.bench;

import dev.minter.audit.AuditEvent;
import dev.minter.audit.JsonlAuditLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * {@link JsonlAuditLog#append}: each call returns only once its record is hashed into the chain, written and
 * fsynced. One thread pays one fsync per record; with 8 threads the writer commits whatever queued during the
 * previous fsync as one batch (group commit), so throughput should grow while latency stays near one fsync.
 *
 * <p>Writes to a fresh directory under {@code -Dminter.bench.dir} (default: {@code java.io.tmpdir}): the figure is
 * the fsync speed of that file system, so say which one when quoting it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class AuditAppendBenchmark {
  private Path dir;
  private JsonlAuditLog log;
  private final AtomicLong seq = new AtomicLong();

  @Setup
  public void setUp() throws IOException {
    Path parent = Path.of(System.getProperty("minter.bench.dir", System.getProperty("java.io.tmpdir")));
    dir = Files.createTempDirectory(parent, "minter-audit-bench");
    log = JsonlAuditLog.open(dir.resolve("audit.jsonl"), Clock.systemUTC());
  }

  @TearDown
  public void tearDown() throws IOException {
    log.close();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  @Benchmark
  @Threads(1)
  public long append1Thread() {
    return log.append(event());
  }

  @Benchmark
  @Threads(8)
  public long append8Threads() {
    return log.append(event());
  }

  /** A typical MintCredential record (what CredentialMinter writes after a database credential was minted). */
  private AuditEvent event() {
    long n = seq.incrementAndGet();
    return AuditEvent.of("credential.mint")
        .identity("spiffe://corp.example/ns/reports/sa/reporter")
        .attestor("k8s_sat")
        .task("task-" + n)
        .purpose("report:daily")
        .role("analytics-ro")
        .lease("database/creds/analytics-ro/lease" + n)
        .username("v-minter-analytics-ro-" + n)
        .ttlSeconds(900)
        .decision("allow")
        .rule("reports-anytime")
        .requestId("req-" + n)
        .build();
  }
}
