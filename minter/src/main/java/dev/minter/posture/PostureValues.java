package dev.minter.posture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns JSON/YAML values into the types the policy reads posture as: String, Boolean, Long, Double, List and Map
 * (with String keys). Integers of any width become Long (Double when they do not fit), other numbers Double; JSON
 * nulls are dropped, so a condition sees "no signal" rather than a null it might compare wrongly.
 */
final class PostureValues {
  /** Deeper documents are refused: signals are flat facts, and unbounded nesting is a resource attack. */
  static final int MAX_DEPTH = 16;

  private static final ObjectMapper JSON = new ObjectMapper();

  private PostureValues() {}

  /** The signals of a JSON object, or an exception naming what is wrong with it. */
  static Map<String, Object> signals(JsonNode node) {
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException(
          "expected a JSON object of signals, got " + (node == null ? "nothing" : node.getNodeType()));
    }
    return object(node, 0);
  }

  /** Normalizes a map read by Jackson into plain Java types (e.g. the config's {@code on_error}). */
  static Map<String, Object> signals(Map<String, Object> map) {
    return signals((JsonNode) JSON.valueToTree(map));
  }

  private static Object value(JsonNode node, int depth) {
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException("signals nested deeper than " + MAX_DEPTH);
    }
    return switch (node.getNodeType()) {
      case STRING -> node.textValue();
      case BOOLEAN -> node.booleanValue();
      case NUMBER -> node.isIntegralNumber() && node.canConvertToLong() ? (Object) node.longValue() : node.doubleValue();
      case ARRAY -> array(node, depth);
      case OBJECT -> object(node, depth);
      case NULL, MISSING -> null;
      default -> throw new IllegalArgumentException("unsupported signal value of type " + node.getNodeType());
    };
  }

  private static List<Object> array(JsonNode node, int depth) {
    List<Object> items = new ArrayList<>(node.size());
    for (JsonNode item : node) {
      Object v = value(item, depth + 1);
      if (v != null) {
        items.add(v);
      }
    }
    return Collections.unmodifiableList(items);
  }

  private static Map<String, Object> object(JsonNode node, int depth) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> field : node.properties()) {
      Object v = value(field.getValue(), depth + 1);
      if (v != null) {
        map.put(field.getKey(), v);
      }
    }
    return Collections.unmodifiableMap(map);
  }
}
