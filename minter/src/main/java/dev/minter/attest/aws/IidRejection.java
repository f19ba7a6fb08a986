package dev.minter.attest.aws;

import static java.util.Objects.requireNonNull;

import dev.minter.attest.AttestationResult;
import dev.minter.attest.AttestationResult.Failure;

/**
 * Why an instance identity document was refused, thrown inside the AWS verifier and turned into a {@link
 * AttestationResult.Rejected} at its edge. The message never contains the evidence itself (the document and its
 * signature are a bearer credential), only field names, verified values and limits.
 */
public final class IidRejection extends Exception {
  private final Failure failure;

  private IidRejection(Failure failure, String reason) {
    super(reason, null, false, false); // no stack trace: a rejection is an expected outcome, and a cheap one
    this.failure = requireNonNull(failure, "failure");
  }

  /** Well-formed evidence that does not verify or is not allowed. */
  public static IidRejection untrusted(String reason) {
    return new IidRejection(Failure.UNTRUSTED, reason);
  }

  /** Evidence that cannot be parsed, or lacks a field. */
  public static IidRejection malformed(String reason) {
    return new IidRejection(Failure.MALFORMED, reason);
  }

  /** Evidence that verified but is an earlier (or a conflicting) document of a known instance. */
  public static IidRejection replayed(String reason) {
    return new IidRejection(Failure.REPLAYED, reason);
  }

  public Failure failure() {
    return failure;
  }

  /** The rejection as the attestor returns it. */
  public AttestationResult.Rejected toResult(String kind) {
    return new AttestationResult.Rejected(kind, getMessage(), failure);
  }
}
