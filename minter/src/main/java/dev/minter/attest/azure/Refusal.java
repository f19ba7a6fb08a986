package dev.minter.attest.azure;

import static java.util.Objects.requireNonNull;

import dev.minter.attest.AttestationResult.Failure;

/**
 * Why an Azure attested document was refused, and what sort of failure it is. Internal control flow between the
 * verification steps; {@link dev.minter.attest.AzureImdsAttestor#attest} turns it into a rejection and it never
 * escapes further. Reasons never quote the document beyond short, sanitized values ({@link Text#quote}).
 */
public final class Refusal extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient Failure failure;

  private Refusal(Failure failure, String reason) {
    super(requireNonNull(reason, "reason"), null, false, false);
    this.failure = requireNonNull(failure, "failure");
  }

  /** Well-formed but not trusted: bad signature, wrong signer, expired, not allowed. */
  public static Refusal untrusted(String reason) {
    return new Refusal(Failure.UNTRUSTED, reason);
  }

  /** Cannot be parsed, too large, or a required field is missing or of the wrong type. */
  public static Refusal malformed(String reason) {
    return new Refusal(Failure.MALFORMED, reason);
  }

  /** A nonce presented before. */
  public static Refusal replayed(String reason) {
    return new Refusal(Failure.REPLAYED, reason);
  }

  public Failure failure() {
    return failure;
  }
}
