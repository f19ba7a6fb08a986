package dev.minter.audit;

import static dev.minter.audit.Tamper.forge;
import static dev.minter.audit.Tamper.lines;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minter.audit.AuditVerification.Broken;
import dev.minter.audit.AuditVerification.Intact;
import dev.minter.audit.AuditVerifier.Anchor;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AuditVerifierTest {
  private static final int RECORDS = 10;

  @TempDir Path dir;
  private Path file;
  private List<String> original;
  private ChainHead head;

  @BeforeEach
  void writeLog() throws Exception {
    file = dir.resolve("audit.jsonl");
    try (JsonlAuditLog log = JsonlAuditLog.open(file, JsonlAuditLogTest.CLOCK)) {
      for (int i = 1; i <= RECORDS; i++) {
        log.append(JsonlAuditLogTest.begin("t-" + i));
      }
      head = log.head();
    }
    original = Files.readAllLines(file);
  }

  /** Each row: an edit, and the first bad record (line, seq found there) with the reason the verifier gives. */
  static Stream<Arguments> tampering() {
    return Stream.of(
        row("edit a field value", lines(l -> l.set(3, l.get(3).replace("t-4", "t-X"))),
            4, 4, "record 4: hash mismatch (edited?)"),
        row("edit the hash", lines(l -> l.set(5, l.get(5).replaceAll("\"hash\":\"[0-9a-f]", "\"hash\":\"x")
                .replace("\"hash\":\"x", "\"hash\":\"0"))),
            6, 6, "record 6: hash mismatch (edited?)"),
        row("edit a value and recompute its hash", lines(l -> l.set(3, forge(l.get(3), r -> r.put("task", "t-X")))),
            5, 5, "record 5: prev does not match hash of record 4"),
        row("delete a middle record", lines(l -> l.remove(4)),
            5, 6, "record 5: expected seq 5, found 6 (deleted, duplicated or reordered?)"),
        row("swap two records", lines(l -> Collections.swap(l, 2, 3)),
            3, 4, "record 3: expected seq 3, found 4"),
        row("cut a range out of the middle", lines(l -> l.subList(3, 7).clear()),
            4, 8, "record 4: expected seq 4, found 8"),
        row("insert a forged record with recomputed hash but wrong prev",
            lines(l -> l.add(4, forge(l.get(4), r -> r.put("prev", "ab".repeat(32))))),
            5, 5, "record 5: prev does not match hash of record 4"),
        row("insert a forged record with right prev (renumbering nothing after it)",
            lines(l -> l.add(4, forge(l.get(4), r -> r.put("task", "t-forged")))),
            6, 5, "record 6: expected seq 6, found 5"),
        row("duplicate a record", lines(l -> l.add(3, l.get(2))),
            4, 3, "record 4: expected seq 4, found 3"),
        row("forge the first record's prev", lines(l -> l.set(0, forge(l.get(0), r -> r.put("prev", "1".repeat(64))))),
            1, 1, "record 1: prev does not match the genesis value (64 zeros)"),
        row("garbage line", lines(l -> l.set(6, "not json at all")),
            7, null, "record 7: not a JSON object"),
        row("empty line", lines(l -> l.add(2, "")),
            3, null, "record 3: not a JSON object"),
        row("duplicate key smuggling a second value", lines(l -> l.set(1, l.get(1).replace("{", "{\"task\":\"t-X\","))),
            2, null, "record 2: not valid JSON"),
        row("reformatted with whitespace (hash still matches)", lines(l -> l.set(7, l.get(7).replace(",", ", "))),
            8, 8, "record 8: not in canonical form"),
        row("float value", lines(l -> l.set(8, l.get(8).replace("\"ttl_seconds\":300", "\"ttl_seconds\":300.5"))),
            9, 9, "record 9: value outside the canonical domain"),
        row("truncated last line", l -> String.join("\n", l) + "\n" + "{\"event\":\"task.begin\",\"ide",
            11, null, "record 11: truncated (no line terminator; torn write?)"),
        row("last line cut mid-record", l -> {
              String text = String.join("\n", l) + "\n";
              return text.substring(0, text.length() - 40);
            },
            10, null, "record 10: truncated"));
  }

  private static Arguments row(
      String name, Function<List<String>, String> edit, int line, Integer seq, String reason) {
    return Arguments.of(name, edit, line, seq, reason);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("tampering")
  void verify_tamperedLog_reportsFirstBadRecord(
      String name, Function<List<String>, String> edit, int line, Integer seq, String reason) throws Exception {
    Files.writeString(file, edit.apply(original), StandardCharsets.UTF_8);

    AuditVerification result = AuditVerifier.verify(file);

    assertThat(result).isInstanceOfSatisfying(Broken.class, broken -> {
      assertThat(broken.line()).isEqualTo(line);
      assertThat(broken.seq()).isEqualTo(seq == null ? OptionalLong.empty() : OptionalLong.of(seq));
      assertThat(broken.reason()).startsWith(reason);
    });
  }

  @Test
  void verify_untouchedLog_intactWithHead() throws Exception {
    assertThat(AuditVerifier.verify(file)).isEqualTo(new Intact(RECORDS, head.hash()));
    assertThat(AuditVerifier.verify(new StringReader(String.join("\n", original) + "\n")))
        .isEqualTo(new Intact(RECORDS, head.hash()));
  }

  @Test
  void verify_emptyLog_intactWithGenesisHead() throws Exception {
    assertThat(AuditVerifier.verify(new StringReader(""))).isEqualTo(new Intact(0, "0".repeat(64)));
  }

  @Test
  void verify_invalidUtf8_broken() throws Exception {
    byte[] good = (String.join("\n", original.subList(0, 2)) + "\n").getBytes(StandardCharsets.UTF_8);
    byte[] bad = new byte[good.length + 2];
    System.arraycopy(good, 0, bad, 0, good.length);
    bad[good.length] = (byte) 0xff;
    bad[good.length + 1] = '\n';
    Files.write(file, bad);

    assertThat(AuditVerifier.verify(file)).isInstanceOfSatisfying(
        Broken.class, b -> assertThat(b.reason()).isEqualTo("record 3: not valid UTF-8"));
  }

  @Test
  void verify_recordsCutOffTheEnd_passesWithoutAnchorButFailsAgainstIt() throws Exception {
    Files.writeString(file, String.join("\n", original.subList(0, 7)) + "\n");

    // A shorter chain is still a valid chain: only a kept anchor reveals the cut.
    assertThat(AuditVerifier.verify(file).ok()).isTrue();
    assertThat(AuditVerifier.verify(file, Anchor.of(head))).isInstanceOfSatisfying(Broken.class, b -> {
      assertThat(b.line()).isEqualTo(8);
      assertThat(b.reason()).isEqualTo("log ends after record 7 but the anchor expects record 10 (truncated?)");
    });
    assertThat(AuditVerifier.verify(file, Anchor.atLeast(8)).ok()).isFalse();
    assertThat(AuditVerifier.verify(file, Anchor.atLeast(7)).ok()).isTrue();
  }

  @Test
  void verify_wholeTailRewrittenConsistently_onlyAnchorCatchesIt() throws Exception {
    // An attacker who can write the file edits record 6 and re-chains everything after it.
    List<String> rewritten = new java.util.ArrayList<>(original.subList(0, 5));
    String prev = (String) RecordCodec.parse(rewritten.getLast()).get("hash");
    for (int i = 5; i < RECORDS; i++) {
      String p = prev;
      String line = forge(original.get(i), r -> {
        r.put("prev", p);
        r.put("reason", "nothing to see");
      });
      rewritten.add(line);
      prev = (String) RecordCodec.parse(line).get("hash");
    }
    Files.writeString(file, String.join("\n", rewritten) + "\n");

    assertThat(AuditVerifier.verify(file).ok()).isTrue();
    assertThat(AuditVerifier.verify(file, Anchor.of(head))).isInstanceOfSatisfying(
        Broken.class, b -> assertThat(b.reason()).isEqualTo("record 10: hash differs from the anchor (log rewritten?)"));
  }

  @Test
  void verify_logGrewAfterAnchor_stillIntact() throws Exception {
    try (JsonlAuditLog log = JsonlAuditLog.open(file, JsonlAuditLogTest.CLOCK)) {
      log.append(JsonlAuditLogTest.begin("t-11"));
    }

    assertThat(AuditVerifier.verify(file, Anchor.of(head))).isInstanceOfSatisfying(
        Intact.class, ok -> assertThat(ok.count()).isEqualTo(RECORDS + 1));
  }

  @Test
  void anchor_malformedHash_rejected() {
    assertThatThrownBy(() -> new Anchor(3, "ABC"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("anchor hash: ABC (expected: 64 lowercase hex digits)");
  }

  @Test
  void read_garbageLine_namesTheLine() throws Exception {
    Files.writeString(file, original.getFirst() + "\nnope\n");

    assertThatThrownBy(() -> AuditRecords.read(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith("line 2: not a JSON object");
  }
}
