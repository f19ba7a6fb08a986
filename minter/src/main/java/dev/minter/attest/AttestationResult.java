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
   * @param failure what sort of failure it is (decides the gRPC status and marks replays in the audit log)
   */
  record Rejected(String kind, String reason, Failure failure) implements AttestationResult {
    public Rejected {
      requireNonNull(kind, "kind");
      requireNonNull(reason, "reason");
      requireNonNull(failure, "failure");
    }

    /** A rejection of evidence that is well-formed but not trusted (wrong signer, expired, wrong audience…). */
    public Rejected(String kind, String reason) {
      this(kind, reason, Failure.UNTRUSTED);
    }

    public static Rejected malformed(String kind, String reason) {
      return new Rejected(kind, reason, Failure.MALFORMED);
    }

    public static Rejected replayed(String kind, String reason) {
      return new Rejected(kind, reason, Failure.REPLAYED);
    }
  }

  /** Sorts of rejection. */
  enum Failure {
    /** Well-formed evidence that does not verify or is not trusted: UNAUTHENTICATED. */
    UNTRUSTED,
    /** Evidence that cannot even be parsed (garbage, oversized, missing fields): INVALID_ARGUMENT. */
    MALFORMED,
    /** Evidence seen before (a reused token, nonce or document): UNAUTHENTICATED, audited as a replay. */
    REPLAYED
  }
}
