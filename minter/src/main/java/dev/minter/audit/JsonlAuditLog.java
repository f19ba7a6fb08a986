package dev.minter.audit;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The audit log as a file of JSON lines, each record chained to the one before by its SHA-256.
 *
 * <p>A record is {@code {"seq":N,"time":"…Z","event":"…",…fields…,"prev":"<64 hex>","hash":"<64 hex>"}} in RFC 8785
 * canonical form, where {@code hash} is the SHA-256 of the canonical JSON of the record without {@code hash}, and
 * {@code prev} is the previous record's hash (64 zeros for seq 1).
 *
 * <p><b>Group commit.</b> One writer thread owns the chain. Appenders queue their event and block; the writer takes
 * everything queued, chains and writes it, fsyncs once, and only then releases those appenders. Under load one fsync
 * covers many records, and the chain needs no lock because one thread extends it.
 *
 * <p><b>Fail closed.</b> If a write or fsync fails, the file may hold a torn line or records whose durability is
 * unknown (after a failed fsync the kernel may have dropped the dirty pages, so retrying proves nothing). That append
 * and every later one throw {@link AuditWriteException} until the log is reopened, which re-reads the real end of the
 * chain and refuses to start if it is torn. Records from a failed batch may still be in the file; their callers were
 * told they failed and must not have acted on them, so the log can only over-report, never under-report.
 */
public final class JsonlAuditLog implements AuditLog {
  /** Longest field value kept; longer values are cut so that no input can make an audit record unwritable. */
  static final int MAX_VALUE_CHARS = 4096;

  private static final int MAX_BATCH = 1024;
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final Pending POISON = new Pending(null, null);

  private final AuditSink sink;
  private final Clock clock;
  private final String name;
  private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final Object lifecycle = new Object();
  private final Thread writer;
  private boolean closed; // guarded by lifecycle
  private volatile Throwable failure;
  private ChainHead head; // guarded by lifecycle; only the writer thread changes it

  /**
   * Opens (or creates, mode {@code 0640}) {@code file} and continues the chain from its last record.
   *
   * @throws AuditWriteException if the file cannot be opened or its last line is not a valid record; the message
   *     tells the operator to run {@code minter audit verify --file F}
   */
  public static JsonlAuditLog open(Path file, Clock clock) {
    requireNonNull(file, "file");
    requireNonNull(clock, "clock");
    FileAuditSink sink;
    try {
      sink = FileAuditSink.open(file);
    } catch (IOException e) {
      throw new AuditWriteException("audit log " + file + " cannot be opened: " + e.getMessage(), e);
    }
    try {
      // Read the tail only once we hold the lock, so no other writer can extend the chain in between.
      return new JsonlAuditLog(sink, clock, ChainTail.read(file), file.toString());
    } catch (IOException | RuntimeException e) {
      closeQuietly(sink, e);
      throw new AuditWriteException(e.getMessage(), e);
    }
  }

  /** A log on {@code sink} starting a new chain (the sink must be empty). */
  public JsonlAuditLog(AuditSink sink, Clock clock) {
    this(sink, clock, ChainHead.GENESIS);
  }

  /** A log on {@code sink} continuing the chain after {@code head}. */
  public JsonlAuditLog(AuditSink sink, Clock clock, ChainHead head) {
    this(sink, clock, head, "on sink " + sink);
  }

  private JsonlAuditLog(AuditSink sink, Clock clock, ChainHead head, String name) {
    this.sink = requireNonNull(sink, "sink");
    this.clock = requireNonNull(clock, "clock");
    this.head = requireNonNull(head, "head");
    this.name = name;
    this.writer = Thread.ofPlatform().name("minter-audit-writer").daemon().unstarted(this::runWriter);
    writer.start();
  }

  @Override
  public long append(AuditEvent event) {
    Pending pending = new Pending(prepare(requireNonNull(event, "event")), new CompletableFuture<>());
    synchronized (lifecycle) {
      // Checked and enqueued under one lock with close(), so nothing can be queued behind the writer's last item.
      if (closed) {
        throw new AuditWriteException("audit log " + name + " is closed", null);
      }
      if (failure != null) {
        throw broken(failure);
      }
      queue.add(pending);
    }
    try {
      // join() is not interruptible: the record may already be on its way to disk, so the caller must learn
      // whether it became durable rather than give up not knowing.
      return pending.done.join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause();
      throw new AuditWriteException(cause.getMessage(), cause);
    }
  }

  /** The chain head after the last durable record. Visible to tests and to an operator anchor export. */
  public ChainHead head() {
    synchronized (lifecycle) {
      return head;
    }
  }

  @Override
  public void close() {
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
      queue.add(POISON);
    }
    boolean interrupted = false;
    while (writer.isAlive()) {
      try {
        writer.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    try {
      sink.close();
    } catch (IOException e) {
      throw new AuditWriteException("audit log " + name + ": closing failed", e);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Validates on the caller's thread, so a bad event fails its caller and never reaches the writer. */
  private static Map<String, Object> prepare(AuditEvent event) {
    Map<String, Object> fields = new HashMap<>();
    for (Map.Entry<String, Object> e : event.fields().entrySet()) {
      if (RecordCodec.RESERVED.contains(e.getKey())) {
        throw new IllegalArgumentException("audit field " + e.getKey() + " is reserved for the log itself");
      }
      fields.put(e.getKey(), e.getValue() instanceof String s ? sanitize(s) : e.getValue());
    }
    fields.put(RecordCodec.EVENT, sanitize(event.event()));
    CanonicalJson.serialize(fields); // throws IllegalArgumentException for values outside String/Long
    return fields;
  }

  /**
   * Cuts over-long values and replaces lone surrogates. Field values can carry text an attacker chose (a rejected
   * identity, a reason); the rejection itself must always be recordable, so such text is made writable rather than
   * allowed to fail the append.
   */
  static String sanitize(String s) {
    String cut = s.length() > MAX_VALUE_CHARS ? s.substring(0, MAX_VALUE_CHARS) + "...(truncated)" : s;
    StringBuilder out = null;
    for (int i = 0; i < cut.length(); i++) {
      char c = cut.charAt(i);
      boolean paired =
          Character.isHighSurrogate(c) && i + 1 < cut.length() && Character.isLowSurrogate(cut.charAt(i + 1));
      if (paired) {
        if (out != null) {
          out.append(c).append(cut.charAt(i + 1));
        }
        i++;
      } else if (Character.isSurrogate(c)) {
        out = out != null ? out : new StringBuilder(cut.substring(0, i));
        out.append('\uFFFD');
      } else if (out != null) {
        out.append(c);
      }
    }
    return out == null ? cut : out.toString();
  }

  private void runWriter() {
    List<Pending> batch = new ArrayList<>();
    boolean stop = false;
    while (!stop) {
      try {
        batch.add(queue.take());
        queue.drainTo(batch, MAX_BATCH - 1);
      } catch (InterruptedException e) {
        continue; // nobody but close() stops this thread, and it does so with POISON
      }
      // close() enqueues POISON last under the lifecycle lock, so when present it ends the batch.
      if (batch.getLast() == POISON) {
        batch.removeLast();
        stop = true;
      }
      try {
        writeBatch(batch);
      } catch (Throwable t) { // even an Error must release the appenders, or they would block forever
        failure = failure != null ? failure : t;
        batch.forEach(p -> p.done.completeExceptionally(broken(failure)));
      }
      batch.clear();
    }
  }

  private void writeBatch(List<Pending> batch) throws IOException {
    if (batch.isEmpty()) {
      return;
    }
    if (failure != null) {
      AuditWriteException e = broken(failure);
      batch.forEach(p -> p.done.completeExceptionally(e));
      return;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(batch.size() * 512);
    ChainHead at = head;
    for (Pending p : batch) {
      Map<String, Object> record = new HashMap<>(p.fields);
      record.put(RecordCodec.SEQ, at.seq() + 1);
      record.put(RecordCodec.TIME, TIME.format(clock.instant()));
      record.put(RecordCodec.PREV, at.hash());
      String hash = RecordCodec.hashOf(record);
      record.put(RecordCodec.HASH, hash);
      bytes.writeBytes(RecordCodec.line(record));
      at = new ChainHead(at.seq() + 1, hash);
    }
    sink.write(bytes.toByteArray());
    sink.force();
    synchronized (lifecycle) {
      head = at;
    }
    long seq = at.seq() - batch.size();
    for (Pending p : batch) {
      p.done.complete(++seq);
    }
  }

  private AuditWriteException broken(Throwable cause) {
    return new AuditWriteException(
        "audit log " + name + " failed to write or fsync a record; the chain state is unknown, so no record is"
            + " accepted until the log is reopened (run `minter audit verify --file "
            + (name.startsWith("on sink ") ? "F" : name) + "` on it first)",
        cause);
  }

  private static void closeQuietly(AutoCloseable c, Exception primary) {
    try {
      c.close();
    } catch (Exception e) {
      primary.addSuppressed(e);
    }
  }

  private record Pending(Map<String, Object> fields, CompletableFuture<Long> done) {}
}
