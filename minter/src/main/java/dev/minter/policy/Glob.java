package dev.minter.policy;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/**
 * A compiled glob over identity URIs and purposes. {@code *} matches any run of characters except {@code /},
 * {@code **} matches anything (including {@code /}), every other character is literal. A glob matches the
 * whole string, never a part of it.
 *
 * <p>Why {@code *} stops at {@code /}: {@code spiffe://corp/agents/*} must grant the agents directly under
 * {@code agents/}, not every workload that can get an SVID somewhere below it. Literal runs are quoted, so a
 * {@code .} or {@code +} in a policy file never becomes a regular-expression operator that widens a match.
 */
public final class Glob {
  private final String pattern;
  private final Pattern regex;

  private Glob(String pattern, Pattern regex) {
    this.pattern = pattern;
    this.regex = regex;
  }

  /** Compiles {@code pattern}; every string is a valid glob. */
  public static Glob compile(String pattern) {
    requireNonNull(pattern, "pattern");
    StringBuilder re = new StringBuilder();
    StringBuilder literal = new StringBuilder();
    int i = 0;
    while (i < pattern.length()) {
      char c = pattern.charAt(i);
      if (c != '*') {
        literal.append(c);
        i++;
        continue;
      }
      if (!literal.isEmpty()) {
        re.append(Pattern.quote(literal.toString()));
        literal.setLength(0);
      }
      if (i + 1 < pattern.length() && pattern.charAt(i + 1) == '*') {
        re.append(".*");
        i += 2;
      } else {
        re.append("[^/]*");
        i++;
      }
    }
    if (!literal.isEmpty()) {
      re.append(Pattern.quote(literal.toString()));
    }
    // DOTALL: "**" means anything, line terminators included; "[^/]*" already matches them.
    return new Glob(pattern, Pattern.compile(re.toString(), Pattern.DOTALL));
  }

  /** Whether the whole of {@code value} matches. */
  public boolean matches(String value) {
    return regex.matcher(requireNonNull(value, "value")).matches();
  }

  /** The glob as written in the policy file. */
  public String pattern() {
    return pattern;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Glob other && pattern.equals(other.pattern);
  }

  @Override
  public int hashCode() {
    return pattern.hashCode();
  }

  @Override
  public String toString() {
    return pattern;
  }
}
