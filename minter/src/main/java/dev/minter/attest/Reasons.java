package dev.minter.attest;

/** Helpers for rejection reasons, which quote caller-controlled text into logs and audit records. */
public final class Reasons {
  private static final int MAX_QUOTED = 120;

  private Reasons() {}

  /**
   * {@code value} in single quotes, made safe to log: anything outside printable ASCII (newlines that could forge
   * log lines, terminal escapes) becomes {@code ?}, and long values are cut, since the caller chose them.
   */
  public static String quote(String value) {
    StringBuilder out = new StringBuilder(Math.min(value.length(), MAX_QUOTED) + 5).append('\'');
    for (int i = 0; i < value.length() && i < MAX_QUOTED; i++) {
      char c = value.charAt(i);
      out.append(c >= 0x20 && c < 0x7f && c != '\'' ? c : '?');
    }
    if (value.length() > MAX_QUOTED) {
      out.append("...");
    }
    return out.append('\'').toString();
  }
}
