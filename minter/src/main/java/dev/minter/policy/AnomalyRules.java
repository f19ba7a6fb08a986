package dev.minter.policy;

import static dev.minter.policy.AnomalySettings.ATTESTATION_FAILURES;
import static dev.minter.policy.AnomalySettings.DELEGATION_FAN_OUT;
import static dev.minter.policy.AnomalySettings.MINT_RATE;
import static dev.minter.policy.AnomalySettings.NEW_PURPOSE;
import static dev.minter.policy.AnomalySettings.NEW_ROLE;
import static dev.minter.policy.AnomalySettings.UNUSUAL_HOUR;

import java.time.Duration;
import java.util.HashMap;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The policy file's {@code anomalies} section: what each kind of anomaly means ({@link AnomalyAction}) and the
 * detector's tunables ({@link AnomalySettings}). Each kind takes a bare action or a mapping:
 *
 * <pre>
 * anomalies:
 *   mint_rate: {action: deny, factor: 4, floor_per_minute: 10}
 *   new_role: require_delegation
 *   unusual_hour: alert
 * </pre>
 *
 * An absent section or kind only alerts, with default tunables. Unknown kinds and keys are refused: a misspelt
 * {@code action: deny} must not silently become an alert.
 */
final class AnomalyRules {
  static final AnomalyRules NONE = new AnomalyRules(Map.of(), AnomalySettings.DEFAULTS);

  private static final Map<String, List<String>> TUNABLES =
      Map.of(
          MINT_RATE, List.of("factor", "floor_per_minute", "half_life", "warmup"),
          NEW_ROLE, List.of("learning", "learning_events"),
          NEW_PURPOSE, List.of("learning", "learning_events"),
          UNUSUAL_HOUR, List.of("min_share", "half_life", "warmup", "min_events"),
          ATTESTATION_FAILURES, List.of("threshold", "window"),
          DELEGATION_FAN_OUT, List.of("factor", "floor", "warmup_tasks"));

  private final Map<String, AnomalyAction> actions;
  private final AnomalySettings settings;

  private AnomalyRules(Map<String, AnomalyAction> actions, AnomalySettings settings) {
    this.actions = Map.copyOf(actions);
    this.settings = settings;
  }

  static AnomalyRules parse(YamlNode node) {
    if (node.isMissing()) {
      return NONE;
    }
    node.onlyKeys(Set.copyOf(AnomalySettings.KINDS), String.join(", ", AnomalySettings.KINDS));
    Map<String, AnomalyAction> actions = new HashMap<>();
    Map<String, YamlNode> tunables = new HashMap<>();
    node.entries().forEach((kind, value) -> {
      if (value.isMapping()) {
        List<String> keys = new ArrayList<>(List.of("action"));
        keys.addAll(TUNABLES.get(kind));
        value.onlyKeys(new LinkedHashSet<>(keys), String.join(", ", keys));
        YamlNode action = value.field("action");
        actions.put(kind, action.isMissing() ? AnomalyAction.ALERT : action(action));
        tunables.put(kind, value);
      } else {
        actions.put(kind, action(value));
      }
    });
    return new AnomalyRules(actions, settings(tunables));
  }

  AnomalyAction action(String kind) {
    return actions.getOrDefault(kind, AnomalyAction.ALERT);
  }

  AnomalySettings settings() {
    return settings;
  }

  private static AnomalyAction action(YamlNode node) {
    String text = node.text("alert, deny or require_delegation");
    try {
      return AnomalyAction.valueOf(text.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw node.fail("alert, deny or require_delegation");
    }
  }

  private static AnomalySettings settings(Map<String, YamlNode> t) {
    AnomalySettings.MintRate m = AnomalySettings.MintRate.DEFAULTS;
    AnomalySettings.Hours h = AnomalySettings.Hours.DEFAULTS;
    AnomalySettings.Failures f = AnomalySettings.Failures.DEFAULTS;
    AnomalySettings.FanOut o = AnomalySettings.FanOut.DEFAULTS;
    YamlNode rate = t.get(MINT_RATE);
    YamlNode hours = t.get(UNUSUAL_HOUR);
    YamlNode failures = t.get(ATTESTATION_FAILURES);
    YamlNode fanOut = t.get(DELEGATION_FAN_OUT);
    return new AnomalySettings(
        rate == null
            ? m
            : new AnomalySettings.MintRate(
                number(rate, "factor", m.factor(), 1, "a number > 1"),
                number(rate, "floor_per_minute", m.floorPerMinute(), 0, "a number > 0"),
                duration(rate, "half_life", m.halfLife(), false),
                duration(rate, "warmup", m.warmup(), true)),
        learning(t.get(NEW_ROLE)),
        learning(t.get(NEW_PURPOSE)),
        hours == null
            ? h
            : new AnomalySettings.Hours(
                share(hours, "min_share", h.minShare()),
                duration(hours, "half_life", h.halfLife(), false),
                duration(hours, "warmup", h.warmup(), true),
                integer(hours, "min_events", h.minEvents(), 1)),
        failures == null
            ? f
            : new AnomalySettings.Failures(
                integer(failures, "threshold", f.threshold(), 1), duration(failures, "window", f.window(), false)),
        fanOut == null
            ? o
            : new AnomalySettings.FanOut(
                number(fanOut, "factor", o.factor(), 1, "a number > 1"),
                integer(fanOut, "floor", o.floor(), 1),
                integer(fanOut, "warmup_tasks", o.warmupTasks(), 0)));
  }

  private static AnomalySettings.Learning learning(YamlNode kind) {
    AnomalySettings.Learning l = AnomalySettings.Learning.DEFAULTS;
    return kind == null
        ? l
        : new AnomalySettings.Learning(
            duration(kind, "learning", l.period(), true), integer(kind, "learning_events", l.minEvents(), 0));
  }

  /** A number above {@code above} (exclusive). */
  private static double number(YamlNode kind, String key, double absent, double above, String expected) {
    YamlNode node = kind.field(key);
    double value = node.number(absent, expected);
    if (!(value > above) || Double.isInfinite(value)) {
      throw node.fail(expected);
    }
    return value;
  }

  private static double share(YamlNode kind, String key, double absent) {
    YamlNode node = kind.field(key);
    double value = node.number(absent, "a number > 0 and < 1");
    if (!(value > 0 && value < 1)) {
      throw node.fail("a number > 0 and < 1");
    }
    return value;
  }

  private static int integer(YamlNode kind, String key, int absent, int min) {
    YamlNode node = kind.field(key);
    String expected = "a whole number >= " + min;
    double value = node.number(absent, expected);
    if (value != Math.rint(value) || value < min || value > Integer.MAX_VALUE) {
      throw node.fail(expected);
    }
    return (int) value;
  }

  private static Duration duration(YamlNode kind, String key, Duration absent, boolean zeroAllowed) {
    YamlNode node = kind.field(key);
    if (node.isMissing()) {
      return absent;
    }
    String expected = "a duration " + (zeroAllowed ? ">= 0" : "> 0") + " such as 90s, 15m, 1h or PT24H";
    Duration value = Durations.parse(node.text(expected)).orElseThrow(() -> node.fail(expected));
    if (value.isNegative() || (value.isZero() && !zeroAllowed)) {
      throw node.fail(expected);
    }
    return value;
  }
}
