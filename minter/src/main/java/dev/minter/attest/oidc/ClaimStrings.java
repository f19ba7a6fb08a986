package dev.minter.attest.oidc;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** Turns a verified token's claims into the bounded, string-only claims a {@code WorkloadIdentity} carries. */
public final class ClaimStrings {
  /** Enough for every GitHub Actions or GitLab CI claim; bounds what one token can put in memory and audit. */
  public static final int MAX_CLAIMS = 48;

  public static final int MAX_VALUE_LENGTH = 512;
  private static final String NAME = "[A-Za-z0-9_.:-]{1,64}";

  private ClaimStrings() {}

  /**
   * The string-valued claims of {@code claims} as {@code prefix + name}, in name order, at most {@link #MAX_CLAIMS}.
   * Non-string values (numbers, lists, objects), odd names and over-long values are left out rather than coerced:
   * the policy should only ever compare exactly what the issuer signed.
   */
  public static Map<String, String> copy(String prefix, Map<String, Object> claims) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : new TreeMap<>(claims).entrySet()) {
      if (out.size() == MAX_CLAIMS) {
        break;
      }
      if (e.getValue() instanceof String value && e.getKey().matches(NAME) && value.length() <= MAX_VALUE_LENGTH) {
        out.put(prefix + e.getKey(), value);
      }
    }
    return out;
  }
}
