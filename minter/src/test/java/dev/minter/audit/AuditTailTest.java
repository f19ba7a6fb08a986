package dev.minter.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minter.policy.Glob;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditTailTest {
  @TempDir Path dir;

  @Test
  void poll_recordsAppendedLater_areReturnedOnceInOrder() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    try (JsonlAuditLog log = JsonlAuditLog.open(file, Clock.systemUTC());
        AuditTail tail = AuditTail.open(file)) {
      log.append(AuditEvent.of("task.begin").identity("spiffe://x/agents/a").task("t1").build());
      assertThat(tail.poll()).extracting(AuditTail.Entry::seq).containsExactly(1L);

      log.append(AuditEvent.of("credential.mint").identity("spiffe://x/agents/a").task("t1").build());
      log.append(AuditEvent.of("task.complete").identity("spiffe://x/agents/b").task("t2").build());

      List<AuditTail.Entry> later = tail.poll();
      assertThat(later).extracting(AuditTail.Entry::seq).containsExactly(2L, 3L);
      assertThat(later.getFirst().line()).isEqualTo(Files.readAllLines(file).get(1));
      assertThat(tail.poll()).isEmpty();
    }
  }

  @Test
  void poll_unterminatedLastLine_isWithheldUntilComplete() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    try (JsonlAuditLog log = JsonlAuditLog.open(file, Clock.systemUTC())) {
      log.append(AuditEvent.of("task.begin").task("t1").build());
    }
    String line = Files.readAllLines(file).getFirst();
    Path copy = dir.resolve("copy.jsonl");
    Files.writeString(copy, line.substring(0, 10));
    try (AuditTail tail = AuditTail.open(copy)) {
      assertThat(tail.poll()).isEmpty();
      Files.writeString(copy, line.substring(10) + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
      assertThat(tail.poll()).singleElement().extracting(AuditTail.Entry::line).isEqualTo(line);
    }
  }

  @Test
  void matches_filters_allMustHold() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    try (JsonlAuditLog log = JsonlAuditLog.open(file, Clock.systemUTC())) {
      log.append(AuditEvent.of("credential.mint").identity("spiffe://x/agents/a").task("t1").build());
      log.append(AuditEvent.of("credential.mint").identity("spiffe://x/ops/a").task("t2").build());
      log.append(AuditEvent.of("task.begin").identity("spiffe://x/agents/a").task("t1").build());
    }
    var records = AuditRecords.read(file);
    AuditQuery q = new AuditQuery(Optional.of("credential.mint"), Optional.of(Glob.compile("spiffe://x/agents/*")),
        Optional.empty(), Optional.empty(), Optional.empty());
    AuditQuery future = new AuditQuery(Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.of(Instant.now().plusSeconds(3600)), Optional.empty());

    assertThat(records.stream().filter(q::matches)).extracting(r -> r.get("task")).containsExactly("t1");
    assertThat(records.stream().filter(future::matches)).isEmpty();
    assertThat(records.stream().filter(AuditQuery.all()::matches)).hasSize(3);
  }
}
