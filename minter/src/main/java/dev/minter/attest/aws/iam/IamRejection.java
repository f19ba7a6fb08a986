package dev.minter.attest.aws.iam;

import dev.minter.attest.Reasons;

import static java.util.Objects.requireNonNull;

import dev.minter.attest.AttestationResult.Failure;

/**
 * Why a signed {@code sts:GetCallerIdentity} request was refused; internal control flow of the {@code aws_iam}
 * attestor that never escapes it (it becomes a {@code Rejected}). The message is safe to log: caller-controlled text
 * is always passed through {@link #quote}.
 */
public final class IamRejection extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient Failure failure;

  public IamRejection(Failure failure, String reason) {
    super(reason, null, false, false);
    this.failure = requireNonNull(failure, "failure");
  }

  /** Well-formed evidence that is not acceptable (wrong endpoint, stale, STS said no…). */
  public static IamRejection untrusted(String reason) {
    return new IamRejection(Failure.UNTRUSTED, reason);
  }

  /** Evidence that cannot be parsed (not JSON, bad base64, oversized, missing fields…). */
  public static IamRejection malformed(String reason) {
    return new IamRejection(Failure.MALFORMED, reason);
  }

  public Failure failure() {
    return failure;
  }

  /**
   * {@code value} in single quotes, safe for logs and audit records: anything outside printable ASCII (newlines
   * that could forge log lines, terminal escapes) becomes {@code ?}, and long values are cut, since the caller chose
   * them.
   */
  public static String quote(String value) {
    return Reasons.quote(value);
  }
}
