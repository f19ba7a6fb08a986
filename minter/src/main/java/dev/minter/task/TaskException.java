package dev.minter.task;

/**
 * A request Minter will not carry out, for a reason the caller can act on. Each {@link Kind} maps to one gRPC
 * status in the API's StatusMapper; the message is safe to show the caller (no secrets, no internals).
 */
public final class TaskException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why the request was refused. */
  public enum Kind {
    /** Malformed input: bad TTL, empty purpose, too many roles. */
    INVALID,
    /** No such task or role. */
    NOT_FOUND,
    /** The policy denied it, or the task belongs to someone else. */
    DENIED,
    /** The task is no longer open (completed, revoked, expired). */
    NOT_OPEN,
    /** Evidence beyond attestation (a delegation token or grant) is forged, expired, replayed or untrusted. */
    UNAUTHENTICATED,
    /** Over a quota from the policy (concurrent tasks, mints per minute, delegation depth or fan-out). */
    QUOTA
  }

  private final Kind kind;

  public TaskException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
