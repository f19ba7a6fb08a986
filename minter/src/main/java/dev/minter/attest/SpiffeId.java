package dev.minter.attest;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;

/**
 * A SPIFFE ID, {@code spiffe://<trust-domain><path>}, held only in its valid form.
 *
 * <p>{@link #parse} is strict on purpose: the SPIFFE ID becomes the workload's identity that policy matches on, so
 * two spellings of one identity (case, {@code %2F}, {@code ./}, a trailing slash, a port) must never both be
 * accepted — one of them would slip past a policy written for the other. We parse by hand instead of through
 * {@link java.net.URI}, which normalizes and tolerates far more than the SPIFFE spec allows.
 *
 * @param trustDomain lowercase letters, digits, {@code .}, {@code -}, {@code _}; never empty
 * @param path empty (the trust domain itself) or {@code /seg(/seg)*} with segments of letters, digits,
 *     {@code .}, {@code -}, {@code _}, none empty, {@code .} or {@code ..}
 */
public record SpiffeId(String trustDomain, String path) {
  /** The SPIFFE spec's bound on a whole SPIFFE ID, in bytes. */
  public static final int MAX_LENGTH = 2048;
  /** The SPIFFE spec's bound on a trust domain name, in bytes. */
  public static final int MAX_TRUST_DOMAIN_LENGTH = 255;

  private static final String PREFIX = "spiffe://";

  public SpiffeId {
    requireNonNull(trustDomain, "trustDomain");
    requireNonNull(path, "path");
    checkTrustDomain(trustDomain);
    checkPath(path);
    if ((PREFIX + trustDomain + path).getBytes(StandardCharsets.UTF_8).length > MAX_LENGTH) {
      throw new IllegalArgumentException("SPIFFE ID is longer than " + MAX_LENGTH + " bytes");
    }
  }

  /**
   * Parses {@code id} strictly per the SPIFFE ID spec.
   *
   * @throws IllegalArgumentException naming what is wrong (never echoing the whole input)
   */
  public static SpiffeId parse(String id) {
    requireNonNull(id, "id");
    if (id.isEmpty()) {
      throw new IllegalArgumentException("SPIFFE ID is empty");
    }
    if (id.getBytes(StandardCharsets.UTF_8).length > MAX_LENGTH) {
      throw new IllegalArgumentException("SPIFFE ID is longer than " + MAX_LENGTH + " bytes");
    }
    int schemeEnd = id.indexOf("://");
    if (schemeEnd < 0) {
      throw new IllegalArgumentException("SPIFFE ID has no scheme (expected: spiffe://)");
    }
    if (!id.startsWith(PREFIX)) {
      throw new IllegalArgumentException("scheme must be 'spiffe'");
    }
    // Neither '?' nor '#' can appear in a valid trust domain or path, so any occurrence is a query or fragment.
    if (id.indexOf('#') >= 0) {
      throw new IllegalArgumentException("SPIFFE ID must not have a fragment");
    }
    if (id.indexOf('?') >= 0) {
      throw new IllegalArgumentException("SPIFFE ID must not have a query");
    }
    String rest = id.substring(PREFIX.length());
    int slash = rest.indexOf('/');
    String authority = slash < 0 ? rest : rest.substring(0, slash);
    String path = slash < 0 ? "" : rest.substring(slash);
    if (authority.indexOf('@') >= 0) {
      throw new IllegalArgumentException("SPIFFE ID must not have userinfo");
    }
    if (authority.indexOf(':') >= 0) {
      throw new IllegalArgumentException("SPIFFE ID must not have a port");
    }
    return new SpiffeId(authority, path);
  }

  /** True when {@code trustDomain} is a valid SPIFFE trust domain name. */
  public static boolean isValidTrustDomain(String trustDomain) {
    try {
      checkTrustDomain(requireNonNull(trustDomain, "trustDomain"));
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** True when this ID names the trust domain itself rather than a workload in it. */
  public boolean isTrustDomainId() {
    return path.isEmpty();
  }

  @Override
  public String toString() {
    return PREFIX + trustDomain + path;
  }

  private static void checkTrustDomain(String td) {
    if (td.isEmpty()) {
      throw new IllegalArgumentException("SPIFFE ID has no trust domain");
    }
    if (td.length() > MAX_TRUST_DOMAIN_LENGTH) {
      throw new IllegalArgumentException("trust domain is longer than " + MAX_TRUST_DOMAIN_LENGTH + " bytes");
    }
    for (int i = 0; i < td.length(); i++) {
      char c = td.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_')) {
        throw new IllegalArgumentException(
            "trust domain characters are limited to lowercase letters, digits, '.', '-' and '_'");
      }
    }
  }

  private static void checkPath(String path) {
    if (path.isEmpty()) {
      return;
    }
    if (path.charAt(0) != '/') {
      throw new IllegalArgumentException("SPIFFE ID path must start with '/'");
    }
    if (path.endsWith("/")) {
      throw new IllegalArgumentException("SPIFFE ID path must not end with '/'");
    }
    for (String segment : path.substring(1).split("/", -1)) {
      if (segment.isEmpty()) {
        throw new IllegalArgumentException("SPIFFE ID path segments must not be empty");
      }
      if (segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException("SPIFFE ID path segments must not be '.' or '..'");
      }
      for (int i = 0; i < segment.length(); i++) {
        char c = segment.charAt(i);
        boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
            || c == '.' || c == '-' || c == '_';
        if (!ok) {
          // Also rejects percent-encoding: "%2F" would be a second spelling of a path.
          throw new IllegalArgumentException(
              "SPIFFE ID path characters are limited to letters, digits, '.', '-' and '_'");
        }
      }
    }
  }
}
