package dev.minter.attest;

import static java.util.Objects.requireNonNull;

/** The outcome of checking one piece of evidence: {@link Verified} or {@link Rejected}. */
public sealed interface AttestationResult {

  /** The evidence holds: the caller is {@code identity} for this call. */
  record Verified(WorkloadIdentity identity) implements AttestationResult {
    public Verified {
      requireNonNull(identity, "identity");
    }
  }

  /**
   * The evidence does not hold.
   *
   * @param kind the attestor kind that rejected it
   * @param reason why, in words an operator can act on (never the evidence itself)
   */
  record Rejected(String kind, String reason) implements AttestationResult {
    public Rejected {
      requireNonNull(kind, "kind");
      requireNonNull(reason, "reason");
    }
  }
}
