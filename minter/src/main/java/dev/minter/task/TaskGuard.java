package dev.minter.task;

import dev.minter.attest.WorkloadIdentity;
import dev.minter.ledger.TaskRecord;
import dev.minter.policy.Grant;
import dev.minter.policy.PolicyContext;
import dev.minter.policy.PolicyEngine;

/**
 * A check that runs after the policy allowed a call and before Vault is asked (quotas, anomaly detection), and
 * hears about what was done. A guard that refuses audits its own refusal (e.g. {@code quota.exceeded}) and throws a
 * {@link TaskException} ({@code QUOTA} or {@code DENIED}); the task code does not audit it again.
 */
public interface TaskGuard {

  /** Before a task is opened with {@code grant}. */
  default void beforeBegin(
      WorkloadIdentity caller, BeginTaskCommand command, Grant grant, PolicyContext context, PolicyEngine policy) {}

  /** Before a credential of {@code role} is minted for {@code task}. */
  default void beforeMint(
      WorkloadIdentity caller, TaskRecord task, String role, PolicyContext context, PolicyEngine policy) {}

  /** After {@code task} was opened (its row and audit record are durable). Must not throw. */
  default void begun(WorkloadIdentity caller, TaskRecord task) {}

  /** After a credential of {@code role} was minted for {@code task}. Must not throw. */
  default void minted(WorkloadIdentity caller, TaskRecord task, String role) {}

  /** Before a delegation grant is issued from {@code parent} (depth and fan-out limits already hold). */
  default void beforeDelegate(WorkloadIdentity caller, TaskRecord parent, PolicyContext context, PolicyEngine policy) {}

  /** After a delegation grant was issued from {@code parent}. Must not throw. */
  default void delegated(WorkloadIdentity caller, TaskRecord parent) {}
}
