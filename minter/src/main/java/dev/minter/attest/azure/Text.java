package dev.minter.attest.azure;

/** Quoting caller-controlled text into rejection reasons, which reach logs and the audit trail. */
final class Text {
  private static final int MAX_QUOTED = 80;

  private Text() {}

  /**
   * {@code value} in single quotes with anything outside printable ASCII (newlines that could forge log lines,
   * terminal escapes) replaced by {@code ?}, and cut after 80 characters: the caller chose it.
   */
  static String quote(String value) {
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
