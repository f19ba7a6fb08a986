package dev.minter.audit;

/** The {@code event} values Minter writes. One constant per decision or lifecycle step. */
public final class AuditEventTypes {
  /** A task was admitted (attested and allowed by policy); written before Vault is asked for anything. */
  public static final String TASK_BEGIN = "task.begin";
  /** A credential was minted under a task (lease id or token accessor, never the secret). */
  public static final String CREDENTIAL_MINT = "credential.mint";
  /** The agent completed the task and its credentials were revoked. */
  public static final String TASK_COMPLETE = "task.complete";
  /** An operator or Minter itself revoked a task before it completed. */
  public static final String TASK_REVOKE = "task.revoke";
  /** A task's TTL ran out and its credentials were revoked. */
  public static final String TASK_EXPIRE = "task.expire";
  /** Attestation evidence was rejected. */
  public static final String ATTEST_REJECT = "attest.reject";
  /** Policy denied a request. */
  public static final String POLICY_DENY = "policy.deny";

  private AuditEventTypes() {}
}
