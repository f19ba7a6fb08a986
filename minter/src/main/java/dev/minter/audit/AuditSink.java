package dev.minter.audit;

import java.io.IOException;

/**
 * Where {@link JsonlAuditLog} puts its bytes: append, then make durable. A seam so tests can count fsyncs and inject
 * failures; production uses {@link FileAuditSink}.
 */
public interface AuditSink extends AutoCloseable {

  /** Appends all of {@code bytes} (one or more complete lines) at the end of the log. */
  void write(byte[] bytes) throws IOException;

  /** Returns once everything written so far is on stable storage. */
  void force() throws IOException;

  @Override
  void close() throws IOException;
}
