package dev.minter.audit;

import static java.util.Objects.requireNonNull;

import dev.minter.policy.Glob;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;

/**
 * A filter over audit records ({@code minter audit query}). Empty filters match anything; set filters must all match.
 *
 * @param event exact event type, e.g. {@code credential.mint}
 * @param identity glob over the record's {@code identity} ({@code *} within a segment, {@code **} across)
 * @param task exact task id; matches a record's {@code task} field
 * @param since records at or after this instant
 * @param until records before this instant
 */
public record AuditQuery(
    Optional<String> event,
    Optional<Glob> identity,
    Optional<String> task,
    Optional<Instant> since,
    Optional<Instant> until) {
  public AuditQuery {
    requireNonNull(event, "event");
    requireNonNull(identity, "identity");
    requireNonNull(task, "task");
    requireNonNull(since, "since");
    requireNonNull(until, "until");
  }

  /** Matches every record. */
  public static AuditQuery all() {
    return new AuditQuery(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
  }

  /** Whether {@code record} (as {@link AuditRecords} or {@link AuditTail} read it) passes every set filter. */
  public boolean matches(Map<String, Object> record) {
    if (event.isPresent() && !event.get().equals(record.get("event"))) {
      return false;
    }
    if (identity.isPresent() && !(record.get("identity") instanceof String id && identity.get().matches(id))) {
      return false;
    }
    if (task.isPresent() && !task.get().equals(record.get("task"))) {
      return false;
    }
    if (since.isEmpty() && until.isEmpty()) {
      return true;
    }
    Optional<Instant> time = timeOf(record);
    if (time.isEmpty()) {
      return false; // a time window was asked for; a record without a readable time cannot be shown to be in it
    }
    return since.map(s -> !time.get().isBefore(s)).orElse(true) && until.map(u -> time.get().isBefore(u)).orElse(true);
  }

  private static Optional<Instant> timeOf(Map<String, Object> record) {
    if (!(record.get(RecordCodec.TIME) instanceof String text)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(text));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
