package dev.minter.ledger;

/** Where a task is in its life. Only {@link #OPEN} tasks can mint. */
public enum TaskState {
  OPEN,
  COMPLETED,
  REVOKED,
  EXPIRED
}
