package dev.minter.attest;

import java.nio.charset.StandardCharsets;

/**
 * Normalized identities for evidence that is not a SPIFFE ID: a URI under Minter's own trust domain, e.g.
 * {@code spiffe://minter.local/aws/123456789012/i-0abc}, so the policy matches every kind the same way.
 *
 * <p>SPIFFE paths allow only {@code [A-Za-z0-9._-]}, so each segment is escaped injectively: {@code _} becomes
 * {@code __} and any other byte outside that set becomes {@code _} and two lowercase hex digits ({@code "a/b"} →
 * {@code a_2fb}). A claim value can therefore never add a path segment, and two different values never map to the
 * same identity.
 */
public final class IdentityUris {
  private IdentityUris() {}

  /** {@code spiffe://<trustDomain>/<segment>/<segment>…}; empty segments are refused. */
  public static String of(String trustDomain, String... segments) {
    if (!SpiffeId.isValidTrustDomain(trustDomain)) {
      throw new IllegalArgumentException("trust domain: '" + trustDomain + "' (expected: a SPIFFE trust domain)");
    }
    StringBuilder sb = new StringBuilder("spiffe://").append(trustDomain);
    for (String segment : segments) {
      if (segment == null || segment.isEmpty()) {
        throw new IllegalArgumentException("identity segment: empty (expected: a non-empty claim value)");
      }
      sb.append('/').append(encode(segment));
    }
    return sb.toString();
  }

  /** Escapes a segment into SPIFFE path characters; see the class comment. */
  static String encode(String segment) {
    StringBuilder sb = new StringBuilder();
    boolean onlyDots = segment.chars().allMatch(c -> c == '.');
    for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
          || (c == '.' && !onlyDots);
      if (plain) {
        sb.append((char) c);
      } else if (c == '_') {
        sb.append("__");
      } else {
        sb.append('_').append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xf, 16));
      }
    }
    return sb.toString();
  }
}
