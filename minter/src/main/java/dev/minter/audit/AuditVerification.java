package dev.minter.audit;

import static java.util.Objects.requireNonNull;

import java.util.OptionalLong;

/** What {@link AuditVerifier} found: the chain is intact, or where it first breaks. */
public sealed interface AuditVerification {

  /** Every record checks out. {@code headHash} is 64 zeros for an empty log. */
  record Intact(long count, String headHash) implements AuditVerification {
    public Intact {
      requireNonNull(headHash, "headHash");
      if (count < 0) {
        throw new IllegalArgumentException("count: " + count + " (expected: >= 0)");
      }
    }
  }

  /**
   * The first bad record: its 1-based {@code line}, its {@code seq} if it could be read, and a {@code reason} such as
   * {@code "record 7: hash mismatch (edited?)"}.
   */
  record Broken(long line, OptionalLong seq, String reason) implements AuditVerification {
    public Broken {
      requireNonNull(seq, "seq");
      requireNonNull(reason, "reason");
      if (line < 1) {
        throw new IllegalArgumentException("line: " + line + " (expected: >= 1)");
      }
    }
  }

  default boolean ok() {
    return this instanceof Intact;
  }
}
