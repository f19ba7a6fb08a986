package dev.minter.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How CLI commands print results: {@code -o table|json|yaml}. The default is a table on a terminal and JSON when the
 * output is piped, so scripts get something parseable without asking.
 */
public final class Output {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER));

  private Output() {}

  /** The format to use for {@code option} ({@code table}, {@code json}, {@code yaml}, or null for the default). */
  public static String format(String option) {
    if (option == null || option.isBlank()) {
      return System.console() != null ? "table" : "json";
    }
    return switch (option) {
      case "table", "json", "yaml" -> option;
      default -> throw new IllegalArgumentException("-o " + option + " (expected: table, json or yaml)");
    };
  }

  /** A protobuf message as JSON (proto3 JSON mapping, default values included) or YAML. */
  public static String message(MessageOrBuilder message, String format) {
    try {
      String json = JsonFormat.printer().alwaysPrintFieldsWithNoPresence().print(message);
      return "yaml".equals(format) ? YAML.writeValueAsString(JSON.readTree(json)).stripTrailing() : json;
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Rows (column name → value, in column order) as an aligned table, a JSON array or a YAML list.
   */
  public static String rows(List<? extends Map<String, ?>> rows, String format) {
    try {
      return switch (format) {
        case "json" -> JSON.writeValueAsString(rows);
        case "yaml" -> YAML.writeValueAsString(rows).stripTrailing();
        default -> table(rows);
      };
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String table(List<? extends Map<String, ?>> rows) {
    if (rows.isEmpty()) {
      return "(none)";
    }
    List<String> columns = new ArrayList<>(rows.getFirst().keySet());
    Map<String, Integer> widths = new LinkedHashMap<>();
    for (String c : columns) {
      int w = c.length();
      for (Map<String, ?> row : rows) {
        w = Math.max(w, cell(row.get(c)).length());
      }
      widths.put(c, w);
    }
    StringBuilder sb = new StringBuilder();
    for (String c : columns) {
      sb.append(String.format("%-" + widths.get(c) + "s  ", c.toUpperCase()));
    }
    sb.setLength(sb.length() - 2);
    for (Map<String, ?> row : rows) {
      sb.append('\n');
      for (String c : columns) {
        sb.append(String.format("%-" + widths.get(c) + "s  ", cell(row.get(c))));
      }
      sb.setLength(sb.length() - 2);
    }
    return sb.toString();
  }

  private static String cell(Object value) {
    if (value == null) {
      return "-";
    }
    if (value instanceof List<?> list) {
      return String.join(",", list.stream().map(String::valueOf).toList());
    }
    if (value instanceof JsonNode node) {
      return node.asText();
    }
    return String.valueOf(value);
  }
}
