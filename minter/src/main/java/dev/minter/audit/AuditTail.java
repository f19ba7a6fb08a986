package dev.minter.audit;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Reads an audit log from the start and then, on each {@link #poll}, the records appended since — the reader behind
 * {@code minter audit query} and {@code minter audit tail -f}. Only complete ({@code \n}-terminated) lines are
 * returned: the writer appends whole lines, so an unterminated tail is a write in progress and is read on a later poll.
 *
 * <p>Like {@link AuditRecords} it does not verify the chain; {@link AuditVerifier} does. Not thread-safe.
 */
public final class AuditTail implements AutoCloseable {
  /** One record: its {@code seq} (0 if it has none), the line as written, and its fields. */
  public record Entry(long seq, String line, Map<String, Object> fields) {
    public Entry {
      requireNonNull(line, "line");
      fields = Collections.unmodifiableMap(requireNonNull(fields, "fields"));
    }
  }

  private final Path file;
  private final FileChannel channel;
  private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
  private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
  private long lineNumber;

  private AuditTail(Path file, FileChannel channel) {
    this.file = file;
    this.channel = channel;
  }

  /** Opens {@code file} for reading from its first record. */
  public static AuditTail open(Path file) throws IOException {
    requireNonNull(file, "file");
    try {
      return new AuditTail(file, FileChannel.open(file, StandardOpenOption.READ));
    } catch (NoSuchFileException e) {
      throw new IOException("audit log " + file + " does not exist", e);
    }
  }

  /**
   * The complete records appended since the last poll (all of them on the first), in file order.
   *
   * @throws IllegalArgumentException naming the line if one is not a JSON object
   */
  public List<Entry> poll() throws IOException {
    List<Entry> entries = new ArrayList<>();
    while (true) {
      buffer.clear();
      int n = channel.read(buffer);
      if (n <= 0) {
        return entries;
      }
      buffer.flip();
      while (buffer.hasRemaining()) {
        byte b = buffer.get();
        if (b != '\n') {
          if (partial.size() > LineReader.MAX) {
            throw new IllegalArgumentException("audit log " + file + ", line " + (lineNumber + 1) + ": too long");
          }
          partial.write(b);
          continue;
        }
        lineNumber++;
        String line = partial.toString(StandardCharsets.UTF_8);
        partial.reset();
        Map<String, Object> fields;
        try {
          fields = RecordCodec.parse(line);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("audit log " + file + ", line " + lineNumber + ": " + e.getMessage(), e);
        }
        long seq = fields.get(RecordCodec.SEQ) instanceof Long s ? s : 0L;
        entries.add(new Entry(seq, line, fields));
      }
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
