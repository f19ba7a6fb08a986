package dev.minter.attest;

/**
 * Trust-on-first-use records for evidence that cannot be bound to a challenge (an AWS instance identity document):
 * the first attestation of a subject is remembered durably, and the same subject attesting again is refused, as in
 * SPIRE's aws_iid node attestor. Kept in the ledger so a restart does not reopen the window.
 */
public interface TofuStore {

  /** Records {@code subject} for {@code kind}; true if it was not recorded before. */
  boolean firstAttestation(String kind, String subject);
}
