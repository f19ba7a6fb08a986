package dev.minter.audit;

import static java.util.Objects.requireNonNull;

/**
 * The last record of a chain: its sequence number and hash. The next record gets {@code seq + 1} and
 * {@code prev = hash}.
 *
 * <p>Also what an operator should keep outside the log host as an anchor: a chain alone cannot show that records were
 * cut off its end, but a kept head can (see {@link AuditVerifier}).
 */
public record ChainHead(long seq, String hash) {
  /** The head of an empty log: the first record has seq 1 and a prev of 64 zeros. */
  public static final ChainHead GENESIS = new ChainHead(0, RecordCodec.ZERO_HASH);

  public ChainHead {
    requireNonNull(hash, "hash");
    if (seq < 0) {
      throw new IllegalArgumentException("seq: " + seq + " (expected: >= 0)");
    }
    if (!RecordCodec.isHash(hash)) {
      throw new IllegalArgumentException("hash: " + hash + " (expected: 64 lowercase hex digits)");
    }
  }
}
