package dev.minter.attest;

/**
 * Trust on first use that may move forward: for each subject (an EC2 instance) the store pins the fingerprint of the
 * first evidence seen for the subject's newest generation (its launch time). Evidence that cannot be bound to a
 * challenge is presented again on every call, so a plain "seen before → refuse" store would
 * refuse the legitimate holder's second call; a pin instead accepts the same evidence again, accepts evidence of a
 * newer generation (the instance was started again and got a new document), and refuses anything else.
 *
 * <p>Implementations must make {@link #pin} atomic per subject (two racing first uses: one pins, the other is
 * compared against it) and, in production, durable, so a restart does not reopen the window.
 */
public interface TofuPins {

  /**
   * Compares {@code fingerprint} at {@code generation} with the pin of {@code subject} and moves the pin forward when
   * {@code generation} is newer than the pinned one.
   *
   * @param kind the attestor kind (pins of different kinds never meet)
   * @param subject what the evidence is about, e.g. {@code 123456789012/i-0abc}
   * @param generation orders evidence of one subject, e.g. launch time in epoch milliseconds
   * @param fingerprint identifies the evidence itself, e.g. a SHA-256 of the signed document
   */
  Outcome pin(String kind, String subject, long generation, String fingerprint);

  /** What {@link #pin} found. */
  enum Outcome {
    /** The subject was unknown: the evidence is now pinned. */
    FIRST,
    /** The pinned evidence again. */
    SAME,
    /** Evidence of a newer generation: it replaced the pin. */
    ADVANCED,
    /** Different evidence of the pinned generation: refuse. */
    CONFLICT,
    /** Evidence of an older generation than the pinned one: refuse. */
    STALE;

    /** True when the evidence may be accepted. */
    public boolean accepted() {
      return this == FIRST || this == SAME || this == ADVANCED;
    }
  }

  /** The decision every implementation makes, given the current pin (or none): kept in one place. */
  static Outcome compare(Long pinnedGeneration, String pinnedFingerprint, long generation, String fingerprint) {
    if (pinnedGeneration == null) {
      return Outcome.FIRST;
    }
    if (generation > pinnedGeneration) {
      return Outcome.ADVANCED;
    }
    if (generation < pinnedGeneration) {
      return Outcome.STALE;
    }
    return pinnedFingerprint.equals(fingerprint) ? Outcome.SAME : Outcome.CONFLICT;
  }
}
