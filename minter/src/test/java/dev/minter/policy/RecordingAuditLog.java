package dev.minter.policy;

import dev.minter.audit.AuditEvent;
import dev.minter.audit.AuditLog;
import dev.minter.audit.AuditWriteException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An audit log in memory that tests read back, and can make fail. */
final class RecordingAuditLog implements AuditLog {
  private final List<AuditEvent> events = new CopyOnWriteArrayList<>();
  private volatile boolean failing;

  @Override
  public long append(AuditEvent event) {
    if (failing) {
      throw new AuditWriteException("disk full (test)", null);
    }
    events.add(event);
    return events.size();
  }

  void failing(boolean failing) {
    this.failing = failing;
  }

  List<AuditEvent> events(String type) {
    return events.stream().filter(e -> e.event().equals(type)).toList();
  }

  @Override
  public void close() {}
}
