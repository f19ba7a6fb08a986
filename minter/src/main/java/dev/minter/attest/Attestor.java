package dev.minter.attest;

/**
 * Verifies one kind of identity evidence. Implementations are pure: they read trust material only through
 * injected sources (bundles, keys, a clock), never the network, Vault or the ledger.
 */
public interface Attestor {

  /** The evidence kind this attestor verifies; also its configuration key and the kind on the wire. */
  String kind();

  /** Checks {@code evidence}; never throws for bad evidence (that is a {@link AttestationResult.Rejected}). */
  AttestationResult attest(Evidence evidence);
}
