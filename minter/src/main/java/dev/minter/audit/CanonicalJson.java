package dev.minter.audit;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * RFC 8785 (JSON Canonicalization Scheme) serialization for the value domain the audit log uses: {@link String},
 * {@link Long}/{@link Integer}, {@link Boolean}, {@code null}, {@code Map<String, ?>} and {@code List<?>}.
 *
 * <p>The audit hash is taken over these bytes, so two honest implementations must produce exactly the same output
 * for the same record: keys are sorted by UTF-16 code units (which is what {@link String#compareTo} does), there is
 * no whitespace, and strings use the JCS escaping (short forms for {@code \b \t \n \f \r " \}, {@code \}{@code
 * u00xx} for other controls, nothing else escaped — not {@code /}, not non-ASCII).
 *
 * <p>Floating-point numbers are rejected rather than formatted: JCS formats them like ECMAScript, which is easy to get
 * subtly wrong, and the audit log never needs them. Integers must lie within ±(2^53 − 1), the range in which every
 * JCS implementation (which treats numbers as IEEE 754 doubles) prints the same digits. Strings must be well-formed
 * UTF-16 (no lone surrogates), as RFC 8785 requires.
 */
public final class CanonicalJson {
  /** The largest integer that an IEEE 754 double, and so every JCS implementation, represents exactly. */
  public static final long MAX_SAFE_INTEGER = (1L << 53) - 1;

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private CanonicalJson() {}

  /** The canonical JSON text of {@code value}. */
  public static String serialize(Object value) {
    StringBuilder out = new StringBuilder(128);
    write(value, out);
    return out.toString();
  }

  /** The canonical JSON of {@code value} as UTF-8 bytes, the form RFC 8785 hashes and signs. */
  public static byte[] toUtf8(Object value) {
    return serialize(value).getBytes(StandardCharsets.UTF_8);
  }

  private static void write(Object value, StringBuilder out) {
    switch (value) {
      case null -> out.append("null");
      case String s -> writeString(s, out);
      case Long l -> writeInteger(l, out);
      case Integer i -> writeInteger(i, out);
      case Boolean b -> out.append(b ? "true" : "false");
      case Map<?, ?> m -> writeObject(m, out);
      case List<?> l -> writeArray(l, out);
      default ->
          throw new IllegalArgumentException(
              "canonical JSON: unsupported value type " + value.getClass().getName()
                  + " (expected: String, Long, Integer, Boolean, null, Map, List)");
    }
  }

  private static void writeInteger(long v, StringBuilder out) {
    if (v > MAX_SAFE_INTEGER || v < -MAX_SAFE_INTEGER) {
      throw new IllegalArgumentException("canonical JSON: integer " + v + " (expected: |n| <= 2^53 - 1)");
    }
    out.append(v);
  }

  private static void writeObject(Map<?, ?> map, StringBuilder out) {
    List<String> keys = new ArrayList<>(map.size());
    for (Object key : map.keySet()) {
      if (!(key instanceof String s)) {
        throw new IllegalArgumentException("canonical JSON: object key " + key + " (expected: a String)");
      }
      keys.add(s);
    }
    // String.compareTo compares UTF-16 code units, exactly the order RFC 8785 section 3.2.3 prescribes;
    // a Collator or code-point order would sort non-BMP keys differently.
    keys.sort(null);
    out.append('{');
    for (int i = 0; i < keys.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      writeString(keys.get(i), out);
      out.append(':');
      write(map.get(keys.get(i)), out);
    }
    out.append('}');
  }

  private static void writeArray(List<?> list, StringBuilder out) {
    out.append('[');
    for (int i = 0; i < list.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      write(list.get(i), out);
    }
    out.append(']');
  }

  private static void writeString(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\b' -> out.append("\\b");
        case '\t' -> out.append("\\t");
        case '\n' -> out.append("\\n");
        case '\f' -> out.append("\\f");
        case '\r' -> out.append("\\r");
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        default -> {
          if (c < 0x20) {
            out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
          } else if (Character.isHighSurrogate(c)
              && i + 1 < s.length()
              && Character.isLowSurrogate(s.charAt(i + 1))) {
            out.append(c).append(s.charAt(++i));
          } else if (Character.isSurrogate(c)) {
            throw new IllegalArgumentException(
                "canonical JSON: lone surrogate U+" + Integer.toHexString(c) + " at index " + i);
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
