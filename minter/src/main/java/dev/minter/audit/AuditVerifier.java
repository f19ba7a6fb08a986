package dev.minter.audit;

import static java.util.Objects.requireNonNull;

import dev.minter.audit.AuditVerification.Broken;
import dev.minter.audit.AuditVerification.Intact;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Proves an audit log intact, or names the first record where it is not.
 *
 * <p>Each line must be one JSON object in canonical form, with {@code seq} 1, 2, 3, … without gaps, {@code prev}
 * equal to the previous record's hash (64 zeros for the first), and a {@code hash} that recomputes. This detects
 * records edited, deleted, inserted, duplicated or reordered anywhere <em>before</em> the last record.
 *
 * <p><b>What a chain alone cannot show.</b> Cutting records off the end leaves a shorter chain that is perfectly
 * valid, and someone who can write the file can also rewrite every record after the one they changed and recompute
 * all hashes. Both are caught only against an {@link Anchor}: a head ({@code seq}, {@code hash}) the operator kept
 * somewhere the log's host cannot rewrite (a ticket, another machine, a transparency log). The log may have grown
 * since the anchor was taken; the check is that the anchored record is still there, unchanged.
 */
public final class AuditVerifier {

  /**
   * A record the operator recorded earlier. {@code hash} may be null to check only that the log still has at least
   * {@code seq} records.
   */
  public record Anchor(long seq, String hash) {
    public Anchor {
      if (seq < 1) {
        throw new IllegalArgumentException("anchor seq: " + seq + " (expected: >= 1)");
      }
      if (hash != null && !RecordCodec.isHash(hash)) {
        throw new IllegalArgumentException("anchor hash: " + hash + " (expected: 64 lowercase hex digits)");
      }
    }

    /** Expects the record {@code head} names, e.g. a head exported by {@link JsonlAuditLog#head()}. */
    public static Anchor of(ChainHead head) {
      return new Anchor(head.seq(), head.hash());
    }

    /** Expects at least {@code count} records, whatever their hashes. */
    public static Anchor atLeast(long count) {
      return new Anchor(count, null);
    }
  }

  private AuditVerifier() {}

  public static AuditVerification verify(Path file) throws IOException {
    return verify(file, null);
  }

  /** Verifies {@code file}, and that it still holds the {@code anchor}ed record (null: no anchor). */
  public static AuditVerification verify(Path file, Anchor anchor) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return verify(LineReader.of(in), anchor);
    }
  }

  public static AuditVerification verify(Reader reader) throws IOException {
    return verify(reader, null);
  }

  /** Verifies the log text read from {@code reader}, and the {@code anchor} (null: no anchor). */
  public static AuditVerification verify(Reader reader, Anchor anchor) throws IOException {
    return verify(LineReader.of(requireNonNull(reader, "reader")), anchor);
  }

  private static AuditVerification verify(LineReader lines, Anchor anchor) throws IOException {
    String prevHash = RecordCodec.ZERO_HASH;
    long n = 0;
    while (true) {
      LineReader.Line line;
      try {
        line = lines.next();
      } catch (CharacterCodingException e) {
        return new Broken(n + 1, OptionalLong.empty(), "record " + (n + 1) + ": not valid UTF-8");
      }
      if (line == null) {
        break;
      }
      n++;
      if (line.tooLong()) {
        return new Broken(n, OptionalLong.empty(), "record " + n + ": line too long (over 1 MiB)");
      }
      if (!line.terminated()) {
        return new Broken(n, OptionalLong.empty(), "record " + n + ": truncated (no line terminator; torn write?)");
      }
      Map<String, Object> record;
      try {
        record = RecordCodec.parse(line.text());
      } catch (IllegalArgumentException e) {
        return new Broken(n, OptionalLong.empty(), "record " + n + ": " + e.getMessage());
      }
      Broken broken = check(n, line.text(), record, prevHash);
      if (broken != null) {
        return broken;
      }
      prevHash = (String) record.get(RecordCodec.HASH);
      if (anchor != null && anchor.hash() != null && anchor.seq() == n && !anchor.hash().equals(prevHash)) {
        return new Broken(n, OptionalLong.of(n), "record " + n + ": hash differs from the anchor (log rewritten?)");
      }
    }
    if (anchor != null && n < anchor.seq()) {
      return new Broken(
          n + 1,
          OptionalLong.empty(),
          "log ends after record " + n + " but the anchor expects record " + anchor.seq() + " (truncated?)");
    }
    return new Intact(n, prevHash);
  }

  /** Checks the {@code n}th line ({@code text}, parsed as {@code record}); null when it follows {@code prevHash}. */
  private static Broken check(long n, String text, Map<String, Object> record, String prevHash) {
    if (!(record.get(RecordCodec.SEQ) instanceof Long seq)) {
      return new Broken(n, OptionalLong.empty(), "record " + n + ": seq missing or not an integer");
    }
    OptionalLong at = OptionalLong.of(seq);
    if (seq != n) {
      return new Broken(
          n, at, "record " + n + ": expected seq " + n + ", found " + seq + " (deleted, duplicated or reordered?)");
    }
    if (!(record.get(RecordCodec.EVENT) instanceof String)) {
      return new Broken(n, at, "record " + n + ": event missing");
    }
    Object hash = record.get(RecordCodec.HASH);
    if (!RecordCodec.isHash(hash) || !RecordCodec.isHash(record.get(RecordCodec.PREV))) {
      return new Broken(n, at, "record " + n + ": prev or hash missing or malformed");
    }
    if (!prevHash.equals(record.get(RecordCodec.PREV))) {
      String what = n == 1 ? "the genesis value (64 zeros)" : "hash of record " + (n - 1);
      return new Broken(n, at, "record " + n + ": prev does not match " + what);
    }
    String recomputed;
    String canonical;
    try {
      recomputed = RecordCodec.hashOf(record);
      canonical = CanonicalJson.serialize(record);
    } catch (IllegalArgumentException e) {
      return new Broken(n, at, "record " + n + ": value outside the canonical domain (" + e.getMessage() + ")");
    }
    if (!recomputed.equals(hash)) {
      return new Broken(n, at, "record " + n + ": hash mismatch (edited?)");
    }
    // The hash covers the parsed content, so whitespace or key-order changes would slip past it; the writer only
    // ever writes canonical lines, so any other spelling means someone rewrote the line.
    if (!canonical.equals(text)) {
      return new Broken(n, at, "record " + n + ": not in canonical form (rewritten?)");
    }
    return null;
  }
}
