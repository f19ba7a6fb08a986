package dev.minter.audit;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One audit record before the log stamps it ({@code seq}, {@code time}, {@code prev}, {@code hash}).
 *
 * <p>There is deliberately no field that could hold a secret: the fields are the identity, the task, the role, lease
 * ids and token accessors, TTLs, the decision and the reason, and for database credentials the username. Values are
 * strings or integers only, so the record has one canonical (RFC 8785) form.
 */
public final class AuditEvent {
  private final String event;
  private final Map<String, Object> fields;

  private AuditEvent(String event, Map<String, Object> fields) {
    this.event = event;
    this.fields = Map.copyOf(fields);
  }

  /** Starts a record of type {@code event}, e.g. {@code task.begin}. */
  public static Builder of(String event) {
    return new Builder(requireNonNull(event, "event"));
  }

  public String event() {
    return event;
  }

  /** The fields other than {@code event}; values are {@link String} or {@link Long}. */
  public Map<String, Object> fields() {
    return fields;
  }

  @Override
  public String toString() {
    return "AuditEvent[" + event + " " + fields + "]";
  }

  /** Builds an {@link AuditEvent}; null values are left out. */
  public static final class Builder {
    private final String event;
    private final Map<String, Object> fields = new LinkedHashMap<>();

    private Builder(String event) {
      this.event = event;
    }

    public Builder identity(String v) { return put("identity", v); }
    public Builder attestor(String v) { return put("attestor", v); }
    public Builder task(String v) { return put("task", v); }
    public Builder purpose(String v) { return put("purpose", v); }
    public Builder role(String v) { return put("role", v); }
    public Builder lease(String v) { return put("lease_id", v); }
    public Builder accessor(String v) { return put("token_accessor", v); }
    public Builder ttlSeconds(long v) { fields.put("ttl_seconds", v); return this; }
    public Builder decision(String v) { return put("decision", v); }
    public Builder rule(String v) { return put("rule", v); }
    public Builder reason(String v) { return put("reason", v); }
    public Builder outcome(String v) { return put("outcome", v); }
    public Builder username(String v) { return put("username", v); }
    public Builder requestId(String v) { return put("request_id", v); }

    /** A field not covered above; {@code value} must not be secret material. */
    public Builder put(String key, String value) {
      if (value != null) {
        fields.put(requireNonNull(key, "key"), value);
      }
      return this;
    }

    /**
     * A list field, e.g. a delegation chain; items must be Strings or Maps of Strings (canonical JSON types), never
     * secret material. An empty or null list is left out.
     */
    public Builder putList(String key, List<?> value) {
      if (value != null && !value.isEmpty()) {
        fields.put(requireNonNull(key, "key"), List.copyOf(value));
      }
      return this;
    }

    /** A builder holding the same fields, to derive a second record (e.g. the outcome after an intent). */
    public Builder copy() {
      Builder other = new Builder(event);
      other.fields.putAll(fields);
      return other;
    }

    public AuditEvent build() {
      return new AuditEvent(event, fields);
    }
  }
}
