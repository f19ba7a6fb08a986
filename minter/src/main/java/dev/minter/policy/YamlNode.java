package dev.minter.policy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A node of the parsed policy file that knows its own path ({@code rules[1].max_ttl}), so every validation
 * failure can name the file, the key and what was expected.
 */
final class YamlNode {
  private final String source;
  private final String path;
  private final JsonNode node; // null when the key is absent

  private YamlNode(String source, String path, JsonNode node) {
    this.source = source;
    this.path = path;
    this.node = node;
  }

  static YamlNode root(String source, JsonNode node) {
    return new YamlNode(source, "", node);
  }

  String path() {
    return path;
  }

  /** The file and path, as errors name them: {@code policy.yaml: rules[1].when[0]}. */
  String where() {
    return path.isEmpty() ? source : source + ": " + path;
  }

  /** Absent, or present with no value ({@code key:} or {@code key: null}). */
  boolean isMissing() {
    return node == null || node.isNull() || node.isMissingNode();
  }

  /** Whether the node is a mapping (e.g. a kind's settings rather than a bare value). */
  boolean isMapping() {
    return !isMissing() && node.isObject();
  }

  YamlNode field(String key) {
    requireMapping();
    return new YamlNode(source, path.isEmpty() ? key : path + "." + key, node.get(key));
  }

  /** Rejects keys outside {@code allowed}: a misspelt key must not silently drop a restriction. */
  YamlNode onlyKeys(Set<String> allowed, String expected) {
    requireMapping();
    for (var entry : node.properties()) {
      String key = entry.getKey();
      if (!allowed.contains(key)) {
        throw new PolicyException(
            "%s: %sunknown key '%s' (expected one of: %s)"
                .formatted(source, path.isEmpty() ? "" : path + ": ", key, expected));
      }
    }
    return this;
  }

  /** The entries of a mapping, in file order. */
  Map<String, YamlNode> entries() {
    requireMapping();
    Map<String, YamlNode> entries = new LinkedHashMap<>();
    node.properties().forEach(e -> entries.put(e.getKey(), field(e.getKey())));
    return entries;
  }

  /** The items of a sequence; an absent key is an empty list. */
  List<YamlNode> items() {
    List<YamlNode> items = new ArrayList<>();
    if (isMissing()) {
      return items;
    }
    if (!node.isArray()) {
      throw fail("a list");
    }
    for (int i = 0; i < node.size(); i++) {
      items.add(new YamlNode(source, path + "[" + i + "]", node.get(i)));
    }
    return items;
  }

  /** The items of a sequence that must have at least one. */
  List<YamlNode> nonEmptyItems() {
    List<YamlNode> items = items();
    if (items.isEmpty()) {
      throw fail("a non-empty list");
    }
    return items;
  }

  /** A boolean ({@code true}/{@code false}), or {@code absent} when the key is missing. */
  boolean bool(boolean absent) {
    if (isMissing()) {
      return absent;
    }
    if (!node.isBoolean()) {
      throw fail("true or false");
    }
    return node.booleanValue();
  }

  /** A YAML number, or {@code absent} when the key is missing; quoted strings are refused, not converted. */
  double number(double absent, String expected) {
    if (isMissing()) {
      return absent;
    }
    if (!node.isNumber()) {
      throw fail(expected);
    }
    return node.doubleValue();
  }

  /** A non-blank string scalar; numbers and booleans are refused rather than converted. */
  String text() {
    if (!isMissing() && node.isValueNode() && !node.isTextual()) {
      // Unquoted yes/no/on/off/numbers are not strings in YAML: say so rather than guess what was meant.
      String type = node.isBoolean() ? "boolean" : node.isNumber() ? "number" : "non-string";
      throw fail("a string; quote it, YAML reads it unquoted as a " + type);
    }
    return text("a non-empty string");
  }

  /** Like {@link #text()}, saying {@code expected} when the value is absent or not a string. */
  String text(String expected) {
    if (isMissing() || !node.isTextual() || node.asText().isBlank()) {
      throw fail(expected);
    }
    return node.asText();
  }

  /** A whole number in {@code [min, max]}; quoted numbers, fractions and booleans are refused, not converted. */
  int integer(int min, int max) {
    String expected = "a whole number from %d to %d".formatted(min, max);
    if (isMissing() || !node.isIntegralNumber() || !node.canConvertToInt()) {
      throw fail(node != null && node.isTextual() ? expected + ", unquoted" : expected);
    }
    int value = node.intValue();
    if (value < min || value > max) {
      throw fail(expected);
    }
    return value;
  }

  /** A failure for this node: {@code file: path: value (expected: what)}. */
  PolicyException fail(String expected) {
    return failValue(shown(), expected);
  }

  /** A failure for this node showing {@code value} (e.g. one item it holds). */
  PolicyException failValue(String value, String expected) {
    String where = path.isEmpty() ? "" : path + ": ";
    return new PolicyException("%s: %s%s (expected: %s)".formatted(source, where, value, expected));
  }

  private void requireMapping() {
    if (isMissing() || !node.isObject()) {
      throw fail("a mapping");
    }
  }

  private String shown() {
    if (isMissing()) {
      return "missing";
    }
    return node.isTextual() ? (node.asText().isEmpty() ? "\"\"" : node.asText()) : node.toString();
  }
}
