package dev.minter.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minter.audit.AuditVerification.Intact;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JsonlAuditLogTest {
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-30T12:00:00.123456Z"), ZoneOffset.UTC);

  @TempDir Path dir;

  static AuditEvent begin(String task) {
    return AuditEvent.of(AuditEventTypes.TASK_BEGIN)
        .identity("spiffe://example.org/agent/a")
        .task(task)
        .role("db-readonly")
        .ttlSeconds(300)
        .build();
  }

  @Test
  void append_firstRecord_hasLayoutTimeAndGenesisPrev() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    try (JsonlAuditLog log = JsonlAuditLog.open(file, CLOCK)) {
      assertThat(log.append(begin("t-1"))).isEqualTo(1);
    }

    String line = Files.readString(file);
    Map<String, Object> record = AuditRecords.read(file).getFirst();
    // On disk the keys are in canonical (sorted) order, so each line is exactly the bytes a verifier re-derives.
    assertThat(line).isEqualTo(CanonicalJson.serialize(record) + "\n");
    assertThat(line).startsWith("{\"event\":\"task.begin\",\"hash\":\"");
    assertThat(record)
        .containsEntry("seq", 1L)
        .containsEntry("time", "2026-11-30T12:00:00.123Z")
        .containsEntry("task", "t-1")
        .containsEntry("ttl_seconds", 300L)
        .containsEntry("prev", "0".repeat(64));
    Map<String, Object> withoutHash = new HashMap<>(record);
    withoutHash.remove("hash");
    assertThat(record.get("hash")).isEqualTo(Tamper.sha256(CanonicalJson.serialize(withoutHash)));
  }

  @Test
  void append_listOfMapsField_isCanonicalAndVerifies() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    List<Map<String, String>> chain = List.of(
        Map.of("kind", "human", "subject", "alice@corp.example"),
        Map.of("kind", "agent", "subject", "spiffe://corp/agents/planner", "task", "t-1", "rule", "r"));
    ChainHead head;
    try (JsonlAuditLog log = JsonlAuditLog.open(file, CLOCK)) {
      log.append(AuditEvent.of("task.begin").task("t-2").putList("chain", chain).build());
      log.append(AuditEvent.of("task.begin").task("t-3").putList("chain", List.of()).build());
      head = log.head();
    }

    List<Map<String, Object>> records = AuditRecords.read(file);
    assertThat(records.get(0)).containsEntry("chain", chain);
    assertThat(records.get(1)).doesNotContainKey("chain");
    assertThat(AuditVerifier.verify(file)).isEqualTo(new Intact(2, head.hash()));
  }

  @Test
  void append_wholeSecondInstant_timeKeepsThreeFractionDigits() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    Clock whole = Clock.fixed(Instant.parse("2026-11-30T12:00:00Z"), ZoneOffset.UTC);
    try (JsonlAuditLog log = JsonlAuditLog.open(file, whole)) {
      log.append(begin("t-1"));
    }

    assertThat(AuditRecords.read(file).getFirst()).containsEntry("time", "2026-11-30T12:00:00.000Z");
  }

  @Test
  void append_manyRecords_chainVerifiesAndHeadMatches() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    ChainHead head;
    try (JsonlAuditLog log = JsonlAuditLog.open(file, CLOCK)) {
      for (int i = 1; i <= 50; i++) {
        assertThat(log.append(begin("t-" + i))).isEqualTo(i);
      }
      head = log.head();
    }

    assertThat(AuditVerifier.verify(file)).isEqualTo(new Intact(50, head.hash()));
    assertThat(head.seq()).isEqualTo(50);
  }

  @Test
  void open_existingLog_resumesChainAcrossSessions() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    try (JsonlAuditLog log = JsonlAuditLog.open(file, CLOCK)) {
      log.append(begin("t-1"));
      log.append(begin("t-2"));
      log.append(begin("t-3"));
    }

    try (JsonlAuditLog log = JsonlAuditLog.open(file, CLOCK)) {
      assertThat(log.head().seq()).isEqualTo(3);
      assertThat(log.append(begin("t-4"))).isEqualTo(4);
      assertThat(log.append(begin("t-5"))).isEqualTo(5);
    }

    List<Map<String, Object>> records = AuditRecords.read(file);
    assertThat(records.get(3).get("prev")).isEqualTo(records.get(2).get("hash"));
    assertThat(AuditVerifier.verify(file).ok()).isTrue();
    assertThat(AuditVerifier.verify(file)).isEqualTo(new Intact(5, (String) records.get(4).get("hash")));
  }

  @Test
  void open_newFile_createdWithMode0640() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    try (JsonlAuditLog log = JsonlAuditLog.open(file, CLOCK)) {
      log.append(begin("t-1"));
    }

    assertThat(Files.getPosixFilePermissions(file)).isEqualTo(FileAuditSink.MODE_0640);
  }

  @Test
  void open_fileAlreadyOpenByAnotherLog_refuses() {
    Path file = dir.resolve("audit.jsonl");
    try (JsonlAuditLog log = JsonlAuditLog.open(file, CLOCK)) {
      assertThatThrownBy(() -> JsonlAuditLog.open(file, CLOCK))
          .isInstanceOf(AuditWriteException.class)
          .hasMessageContaining("in use by another writer");
    }
  }

  /** A damaged end of file must stop start-up: appending would bury the damage under valid records. */
  static Stream<Arguments> badTails() {
    return Stream.of(
        Arguments.of("torn last line", "{\"event\":\"task.begin\",\"seq\":", "last line is incomplete"),
        Arguments.of("garbage last line", "garbage\n", "last line is not a JSON object"),
        Arguments.of("invalid JSON last line", "{\"seq\":4,\n", "last line is not valid JSON"),
        Arguments.of("last record without seq", "{\"event\":\"x\"}\n", "last record has no valid seq"),
        Arguments.of(
            "edited last record",
            "{\"event\":\"task.begin\",\"prev\":\"" + "0".repeat(64) + "\",\"seq\":4,\"hash\":\"" + "1".repeat(64)
                + "\"}\n",
            "hash of its last record (seq 4) does not match"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badTails")
  void open_damagedLastLine_refusesAndPointsToVerify(String name, String tail, String reason) throws Exception {
    Path file = dir.resolve("audit.jsonl");
    try (JsonlAuditLog log = JsonlAuditLog.open(file, CLOCK)) {
      log.append(begin("t-1"));
    }
    Files.writeString(file, tail, StandardOpenOption.APPEND);
    long size = Files.size(file);

    assertThatThrownBy(() -> JsonlAuditLog.open(file, CLOCK))
        .isInstanceOf(AuditWriteException.class)
        .hasMessageContaining(reason)
        .hasMessageContaining("Run `minter audit verify --file " + file + "`");
    assertThat(Files.size(file)).as("nothing appended").isEqualTo(size);
    // The refused open released its lock: after repair the operator can open it again.
    Files.write(file, Files.readAllLines(file).subList(0, 1), StandardCharsets.UTF_8);
    JsonlAuditLog.open(file, CLOCK).close();
  }

  @Test
  void append_concurrentThreads_everySeqOnceAndChainVerifies() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    int threads = 16;
    int perThread = 200;
    ConcurrentLinkedQueue<Long> seqs = new ConcurrentLinkedQueue<>();
    try (JsonlAuditLog log = JsonlAuditLog.open(file, Clock.systemUTC())) {
      runConcurrently(threads, perThread, i -> seqs.add(log.append(begin("t-" + i))));
    }

    assertThat(seqs).hasSize(threads * perThread);
    assertThat(Set.copyOf(seqs)).isEqualTo(
        Set.copyOf(LongStream.rangeClosed(1, threads * perThread).boxed().toList()));
    assertThat(AuditVerifier.verify(file)).isInstanceOfSatisfying(
        Intact.class, ok -> assertThat(ok.count()).isEqualTo(threads * perThread));
  }

  @Test
  void append_concurrentThreads_oneFsyncCoversManyRecords() throws Exception {
    Sinks.Memory sink = new Sinks.Memory(1);
    int appends = 16 * 200;
    try (JsonlAuditLog log = new JsonlAuditLog(sink, CLOCK)) {
      runConcurrently(16, 200, i -> log.append(begin("t-" + i)));
    }

    assertThat(sink.forces()).isLessThanOrEqualTo(appends / 2);
    System.out.printf("group commit: %d appends, %d fsyncs%n", appends, sink.forces());
    assertThat(AuditVerifier.verify(sink.reader())).isInstanceOfSatisfying(
        Intact.class, ok -> assertThat(ok.count()).isEqualTo(appends));
  }

  @Test
  void append_fsyncFails_thisAndEveryLaterAppendThrow() {
    Sinks.Memory sink = new Sinks.Memory(0).failForceAfter(2);
    try (JsonlAuditLog log = new JsonlAuditLog(sink, CLOCK)) {
      log.append(begin("t-1"));
      log.append(begin("t-2"));

      assertThatThrownBy(() -> log.append(begin("t-3")))
          .isInstanceOf(AuditWriteException.class)
          .hasMessageContaining("chain state is unknown")
          .hasRootCauseMessage("injected fsync failure");
      sink.heal();
      assertThatThrownBy(() -> log.append(begin("t-4")))
          .isInstanceOf(AuditWriteException.class)
          .hasMessageContaining("until the log is reopened");
    }
  }

  @Test
  void append_writeFails_failsClosedAndNeverForces() {
    Sinks.Memory sink = new Sinks.Memory(0).failWrites();
    try (JsonlAuditLog log = new JsonlAuditLog(sink, CLOCK)) {
      assertThatThrownBy(() -> log.append(begin("t-1"))).isInstanceOf(AuditWriteException.class);
      assertThatThrownBy(() -> log.append(begin("t-2"))).isInstanceOf(AuditWriteException.class);
    }
    assertThat(sink.forces()).isZero();
  }

  @Test
  void append_afterClose_throws() {
    JsonlAuditLog log = JsonlAuditLog.open(dir.resolve("audit.jsonl"), CLOCK);
    log.close();

    assertThatThrownBy(() -> log.append(begin("t-1")))
        .isInstanceOf(AuditWriteException.class)
        .hasMessageContaining("is closed");
  }

  @Test
  void close_whileAppendersRun_everyAcknowledgedRecordIsInTheFile() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    JsonlAuditLog log = JsonlAuditLog.open(file, CLOCK);
    ConcurrentLinkedQueue<Long> acknowledged = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Throwable> refused = new ConcurrentLinkedQueue<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
      for (int t = 0; t < 8; t++) {
        pool.submit(() -> {
          while (refused.isEmpty()) {
            try {
              acknowledged.add(log.append(begin("t")));
            } catch (AuditWriteException e) {
              refused.add(e);
            }
          }
        });
      }
      while (acknowledged.size() < 100) {
        Thread.onSpinWait();
      }
      log.close();
    }

    assertThat(refused).allSatisfy(e -> assertThat(e).hasMessageContaining("is closed"));
    assertThat(AuditVerifier.verify(file)).isInstanceOfSatisfying(
        Intact.class, ok -> assertThat(ok.count()).isEqualTo(acknowledged.size()));
  }

  @Test
  void append_reservedFieldName_rejectedAndLogStillUsable() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    try (JsonlAuditLog log = JsonlAuditLog.open(file, CLOCK)) {
      assertThatThrownBy(() -> log.append(AuditEvent.of("task.begin").put("prev", "x").build()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("audit field prev is reserved");
      assertThat(log.append(begin("t-1"))).isEqualTo(1);
    }
    assertThat(AuditVerifier.verify(file).ok()).isTrue();
  }

  @Test
  void append_hostileValues_newlineEscapedLoneSurrogateReplacedLongValueCut() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    String hostile = "evil\n{\"seq\":99}\ud800" + "x".repeat(10_000);
    try (JsonlAuditLog log = JsonlAuditLog.open(file, CLOCK)) {
      log.append(AuditEvent.of(AuditEventTypes.ATTEST_REJECT).reason(hostile).build());
      log.append(begin("t-2"));
    }

    assertThat(Files.readAllLines(file)).hasSize(2);
    String reason = (String) AuditRecords.read(file).getFirst().get("reason");
    assertThat(reason).startsWith("evil\n{\"seq\":99}\ufffdxxx").endsWith("...(truncated)");
    assertThat(reason).hasSize(JsonlAuditLog.MAX_VALUE_CHARS + "...(truncated)".length());
    assertThat(AuditVerifier.verify(file).ok()).isTrue();
  }

  @Test
  void append_everyBuilderField_recordHasOnlyNonSecretKeys() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    AuditEvent event =
        AuditEvent.of(AuditEventTypes.CREDENTIAL_MINT)
            .identity("spiffe://example.org/agent/a").attestor("x509-svid").task("t-1").purpose("report")
            .role("db-readonly").lease("database/creds/ro/abc").accessor("acc-1").ttlSeconds(60)
            .decision("allow").rule("r-1").reason("ok").outcome("minted").username("v-token-ro-x")
            .requestId("req-1")
            .build();
    try (JsonlAuditLog log = JsonlAuditLog.open(file, CLOCK)) {
      log.append(event);
    }

    assertThat(AuditRecords.read(file).getFirst().keySet()).containsExactlyInAnyOrder(
        "seq", "time", "event", "prev", "hash", "identity", "attestor", "task", "purpose", "role", "lease_id",
        "token_accessor", "ttl_seconds", "decision", "rule", "reason", "outcome", "username", "request_id");
    assertThat(Stream.of(AuditEvent.Builder.class.getDeclaredMethods()).map(m -> m.getName().toLowerCase()))
        .noneMatch(n -> n.contains("password") || n.contains("secret") || n.equals("token") || n.contains("key"));
  }

  interface Body {
    void run(int i) throws Exception;
  }

  /** Runs {@code body} {@code perThread} times on each of {@code threads} threads, all released at once. */
  static void runConcurrently(int threads, int perThread, Body body) throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int base = t * perThread;
        futures.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < perThread; i++) {
            body.run(base + i);
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get();
      }
    }
  }
}
