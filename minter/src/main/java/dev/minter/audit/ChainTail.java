package dev.minter.audit;

import static java.nio.file.StandardOpenOption.READ;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * Finds where an existing log's chain ends, so a restarted Minter continues it.
 *
 * <p>Only the last record is checked (its own hash): reading the whole log at every start would make start-up time
 * grow with the log. Proving the whole chain intact is {@code minter audit verify}'s job. A last line that is torn or
 * does not check out stops start-up instead of being skipped or repaired: appending after it would bury evidence of a
 * crash or of tampering under fresh, valid-looking records.
 */
final class ChainTail {
  /** Longer than any record Minter writes; a longer last "line" is not a record. */
  static final int MAX_LINE_BYTES = 1 << 20;

  private ChainTail() {}

  /**
   * The head of the chain in {@code file} ({@link ChainHead#GENESIS} if it is empty).
   *
   * @throws IllegalStateException with an operator-facing message if the last line is not a valid record
   */
  static ChainHead read(Path file) throws IOException {
    String line;
    try (FileChannel ch = FileChannel.open(file, READ)) {
      long size = ch.size();
      if (size == 0) {
        return ChainHead.GENESIS;
      }
      if (byteAt(ch, size - 1) != '\n') {
        throw refuse(file, "its last line is incomplete (torn write or truncation)");
      }
      line = lastLine(ch, size - 1, file);
    }
    Map<String, Object> record;
    try {
      record = RecordCodec.parse(line);
    } catch (IllegalArgumentException e) {
      throw refuse(file, "its last line is " + e.getMessage());
    }
    if (!(record.get(RecordCodec.SEQ) instanceof Long seq) || seq < 1) {
      throw refuse(file, "its last record has no valid seq");
    }
    Object hash = record.get(RecordCodec.HASH);
    String expected;
    try {
      expected = RecordCodec.hashOf(record);
    } catch (IllegalArgumentException e) {
      throw refuse(file, "its last record (seq " + seq + ") is not canonical JSON");
    }
    if (!RecordCodec.isHash(hash) || !expected.equals(hash)) {
      throw refuse(file, "the hash of its last record (seq " + seq + ") does not match its content");
    }
    return new ChainHead(seq, (String) hash);
  }

  /** The text between the newline before {@code end} (or the file start) and {@code end}. */
  private static String lastLine(FileChannel ch, long end, Path file) throws IOException {
    long start = end;
    while (start > 0 && byteAt(ch, start - 1) != '\n') {
      start--;
      if (end - start > MAX_LINE_BYTES) {
        throw refuse(file, "its last line is longer than " + MAX_LINE_BYTES + " bytes");
      }
    }
    ByteBuffer buf = ByteBuffer.allocate((int) (end - start));
    while (buf.hasRemaining()) {
      if (ch.read(buf, start + buf.position()) < 0) {
        throw new IOException("audit log " + file + " shrank while being read");
      }
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(buf.flip()).toString();
    } catch (CharacterCodingException e) {
      throw refuse(file, "its last line is not valid UTF-8");
    }
  }

  private static int byteAt(FileChannel ch, long pos) throws IOException {
    ByteBuffer one = ByteBuffer.allocate(1);
    if (ch.read(one, pos) != 1) {
      throw new IOException("unexpected end of file at byte " + pos);
    }
    return one.get(0);
  }

  private static IllegalStateException refuse(Path file, String why) {
    return new IllegalStateException(
        "audit log " + file + " cannot be continued: " + why
            + ". Refusing to append to it. Run `minter audit verify --file " + file
            + "` to find the first bad record, then repair or rotate the file.");
  }
}
