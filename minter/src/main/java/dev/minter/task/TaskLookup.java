package dev.minter.task;

import static dev.minter.task.TaskAudit.denial;
import static dev.minter.task.TaskException.Kind.DENIED;
import static dev.minter.task.TaskException.Kind.NOT_FOUND;
import static dev.minter.task.TaskException.Kind.NOT_OPEN;

import dev.minter.attest.WorkloadIdentity;
import dev.minter.ledger.Ledger;
import dev.minter.ledger.TaskRecord;
import dev.minter.ledger.TaskState;
import java.time.Clock;

/** Finds the task a call names and refuses it when the caller may not act on it (audited when it is a denial). */
final class TaskLookup {
  private final Ledger ledger;
  private final TaskAudit audit;
  private final TaskRevoker revoker;
  private final Clock clock;

  TaskLookup(Ledger ledger, TaskAudit audit, TaskRevoker revoker, Clock clock) {
    this.ledger = ledger;
    this.audit = audit;
    this.revoker = revoker;
    this.clock = clock;
  }

  TaskRecord find(String taskId) {
    return ledger.findTask(taskId).orElseThrow(() -> new TaskException(NOT_FOUND, "task " + taskId + " not found"));
  }

  /** The caller's task, open and unexpired; anything else is refused (and audited when it is a denial). */
  TaskRecord ownedOpenTask(WorkloadIdentity caller, String taskId) {
    TaskRecord task = find(taskId);
    checkOwner(caller, task);
    requireOpen(task);
    if (!clock.instant().isBefore(task.expiresAt())) {
      revoker.expire(task);
      throw new TaskException(NOT_OPEN, "task " + taskId + " expired at " + task.expiresAt());
    }
    return task;
  }

  static void requireOpen(TaskRecord task) {
    if (task.state() != TaskState.OPEN) {
      throw new TaskException(NOT_OPEN, "task " + task.taskId() + " is " + task.state().name().toLowerCase());
    }
  }

  void checkOwner(WorkloadIdentity caller, TaskRecord task) {
    if (!task.agent().equals(caller.id())) {
      // Only the identity that began a task may act on it; say nothing more about the task to anyone else.
      String reason = "task " + task.taskId() + " belongs to another identity";
      audit.append(denial(caller, null, null, "task-owner", reason, task.taskId()));
      throw new TaskException(DENIED, reason);
    }
  }
}
