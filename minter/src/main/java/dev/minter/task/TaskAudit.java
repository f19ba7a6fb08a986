package dev.minter.task;

import static dev.minter.task.TaskException.Kind.DENIED;

import dev.minter.attest.WorkloadIdentity;
import dev.minter.audit.AuditEvent;
import dev.minter.audit.AuditLog;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The audit records the task calls share: their common fields, denials, refusals, and writes after a failure. */
final class TaskAudit {
  private static final Logger log = LoggerFactory.getLogger(TaskAudit.class);

  private final AuditLog audit;

  TaskAudit(AuditLog audit) {
    this.audit = audit;
  }

  /** A record of {@code event} by {@code caller}, with the request id of the call being served. */
  static AuditEvent.Builder base(String event, WorkloadIdentity caller) {
    return AuditEvent.of(event).identity(caller.id()).attestor(caller.attestorKind()).requestId(RequestIds.current());
  }

  static AuditEvent denial(WorkloadIdentity caller, String purpose, String role, String rule, String reason) {
    return denial(caller, purpose, role, rule, reason, null);
  }

  static AuditEvent denial(
      WorkloadIdentity caller, String purpose, String role, String rule, String reason, String taskId) {
    return base("policy.deny", caller)
        .task(taskId)
        .purpose(purpose)
        .role(role)
        .rule(rule)
        .decision("deny")
        .reason(reason)
        .build();
  }

  /** Appends {@code event}; a failure to write it propagates, so the call it records fails with it. */
  void append(AuditEvent event) {
    audit.append(event);
  }

  /**
   * Runs {@code body}; a refusal it throws (bad input, unknown or ended task) is audited before it reaches the
   * caller. Denials are audited where they are decided, with the rule, so they are not written twice.
   */
  <T> T refusalsAudited(String event, WorkloadIdentity caller, String taskId, Supplier<T> body) {
    try {
      return body.get();
    } catch (TaskException e) {
      // Denials and quota refusals are audited where they are decided, with the rule or limit.
      if (e.kind() != DENIED && e.kind() != TaskException.Kind.QUOTA) {
        audit.append(
            base(event, caller)
                .task(taskId.length() <= TaskRequests.MAX_ID_LENGTH ? taskId : null)
                .decision(e.kind().name().toLowerCase())
                .reason(e.getMessage())
                .build());
      }
      throw e;
    }
  }

  /** Appends a record of a failure already under way: the original failure is what the caller must see. */
  void appendQuietly(AuditEvent event) {
    try {
      audit.append(event);
    } catch (RuntimeException e) {
      log.error("could not write audit record {} after a failure: {}", event.event(), e.toString());
    }
  }
}
