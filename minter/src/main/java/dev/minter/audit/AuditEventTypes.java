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
  /** The policy file in force at start-up, with its SHA-256. */
  public static final String POLICY_LOAD = "policy.load";
  /** A changed policy file was loaded ({@code outcome: ok}) or refused ({@code outcome: rejected}). */
  public static final String POLICY_RELOAD = "policy.reload";
  /** An agent handed part of its task to a sub-agent (a grant id, never the grant). */
  public static final String TASK_DELEGATE = "task.delegate";
  /** A call was refused for exceeding a quota or a delegation limit. */
  public static final String QUOTA_EXCEEDED = "quota.exceeded";
  /** Prefix of anomaly records, e.g. {@code anomaly.mint_rate}: the baseline, the observation and the action. */
  public static final String ANOMALY_PREFIX = "anomaly.";

  private AuditEventTypes() {}
}
