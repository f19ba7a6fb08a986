package dev.minter.audit;

/** The append-only, hash-chained audit log. */
public interface AuditLog extends AutoCloseable {

  /**
   * Appends {@code event} and returns once it is durable (fsync'd). Concurrent callers may share one fsync.
   *
   * @return the record's sequence number
   * @throws AuditWriteException when the record could not be made durable; the caller must then not hand out
   *     anything the record was meant to cover
   */
  long append(AuditEvent event);

  @Override
  void close();
}
