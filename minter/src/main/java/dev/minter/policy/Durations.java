package dev.minter.policy;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the policy file's durations: {@code 90s}, {@code 15m}, {@code 1h}, {@code 1h30m} (units in that order,
 * each at most once) or ISO-8601 such as {@code PT15M}.
 */
public final class Durations {
  // Up to 9 digits per unit keeps every value far from overflow; 24h is the policy's ceiling anyway.
  private static final Pattern SHORT = Pattern.compile("(?:(\\d{1,9})h)?(?:(\\d{1,9})m)?(?:(\\d{1,9})s)?");

  private Durations() {}

  /** The duration {@code text} denotes, or empty if it is in neither accepted form. */
  public static Optional<Duration> parse(String text) {
    if (text.startsWith("P") || text.startsWith("-P")) {
      try {
        return Optional.of(Duration.parse(text));
      } catch (DateTimeParseException e) {
        return Optional.empty();
      }
    }
    Matcher m = SHORT.matcher(text);
    if (text.isEmpty() || !m.matches()) {
      return Optional.empty();
    }
    return Optional.of(
        Duration.ofHours(part(m, 1)).plusMinutes(part(m, 2)).plusSeconds(part(m, 3)));
  }

  private static long part(Matcher m, int group) {
    String digits = m.group(group);
    return digits == null ? 0 : Long.parseLong(digits);
  }
}
