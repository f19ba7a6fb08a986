package dev.minter.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CanonicalJsonTest {

  private static Map<String, Object> object(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }

  /** RFC 8785 section 3.2.3 (sorting) and the JCS reference test data (weird, french, simple string). */
  static Stream<Arguments> vectors() {
    return Stream.of(
        Arguments.of(
            "RFC 8785 3.2.3 property sorting, incl. non-BMP key",
            object(
                "\u20ac", "Euro Sign",
                "\r", "Carriage Return",
                "\ufb33", "Hebrew Letter Dalet With Dagesh",
                "1", "One",
                "\ud83d\ude00", "Emoji: Grinning Face",
                "\u0080", "Control",
                "\u00f6", "Latin Small Letter O With Diaeresis"),
            "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\","
                + "\"\u00f6\":\"Latin Small Letter O With Diaeresis\",\"\u20ac\":\"Euro Sign\","
                + "\"\ud83d\ude00\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}"),
        Arguments.of(
            "JCS weird.json: surrogate pair sorts by code unit, before U+FB33",
            object(
                "\u20ac", "Euro Sign",
                "1", "One",
                "\u0080", "Control\u007f",
                "\ud83d\ude02", "Smiley",
                "\u00f6", "Latin Small Letter O With Diaeresis",
                "\ufb33", "Hebrew Letter Dalet With Dagesh",
                "</script>", "Browser Challenge"),
            "{\"1\":\"One\",\"</script>\":\"Browser Challenge\",\"\u0080\":\"Control\u007f\","
                + "\"\u00f6\":\"Latin Small Letter O With Diaeresis\",\"\u20ac\":\"Euro Sign\","
                + "\"\ud83d\ude02\":\"Smiley\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}"),
        Arguments.of(
            "JCS french.json: no locale collation",
            object(
                "peach", "This sorting order",
                "p\u00e9ch\u00e9", "is wrong according to French",
                "p\u00eache", "but canonicalization MUST",
                "sin", "ingnore locale"),
            "{\"peach\":\"This sorting order\",\"p\u00e9ch\u00e9\":\"is wrong according to French\","
                + "\"p\u00eache\":\"but canonicalization MUST\",\"sin\":\"ingnore locale\"}"),
        Arguments.of(
            "RFC 8785 3.2.2 string escaping and literals",
            object(
                "string", "\u20ac$" + (char) 0x0f + "\nA'B\"\\\\\"/",
                "literals", Arrays.asList(null, true, false)),
            "{\"literals\":[null,true,false],\"string\":\"\u20ac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}"),
        Arguments.of(
            "nesting, integers, empty containers",
            object(
                "b", List.of(1L, -7, object("z", 0L, "a", List.of())),
                "a", object(),
                "", "empty key first"),
            "{\"\":\"empty key first\",\"a\":{},\"b\":[1,-7,{\"a\":[],\"z\":0}]}"),
        Arguments.of(
            "integer range limits",
            List.of(CanonicalJson.MAX_SAFE_INTEGER, -CanonicalJson.MAX_SAFE_INTEGER),
            "[9007199254740991,-9007199254740991]"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void serialize_jcsVector_matchesExpectedBytes(String name, Object input, String expected) {
    assertThat(CanonicalJson.serialize(input)).isEqualTo(expected);
    assertThat(CanonicalJson.toUtf8(input)).isEqualTo(expected.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void serialize_everyControlCharacter_usesJcsEscapes() {
    List<String> expected =
        List.of(
            "\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u0004", "\\u0005", "\\u0006", "\\u0007",
            "\\b", "\\t", "\\n", "\\u000b", "\\f", "\\r", "\\u000e", "\\u000f",
            "\\u0010", "\\u0011", "\\u0012", "\\u0013", "\\u0014", "\\u0015", "\\u0016", "\\u0017",
            "\\u0018", "\\u0019", "\\u001a", "\\u001b", "\\u001c", "\\u001d", "\\u001e", "\\u001f");

    IntStream.range(0, 0x20)
        .forEach(c -> assertThat(CanonicalJson.serialize(String.valueOf((char) c)))
            .as("U+%04X", c)
            .isEqualTo("\"" + expected.get(c) + "\""));
  }

  @Test
  void serialize_delSlashAndNonAscii_leftUnescaped() {
    assertThat(CanonicalJson.serialize("\u007f/\u00e9\ud83d\ude00")).isEqualTo("\"\u007f/\u00e9\ud83d\ude00\"");
  }

  @Test
  void serialize_hashMapInAnyInsertionOrder_sameOutput() {
    Map<String, Object> a = new HashMap<>(object("x", 1L, "y", "2", "aa", true));
    Map<String, Object> b = new LinkedHashMap<>(object("aa", true, "y", "2", "x", 1L));

    assertThat(CanonicalJson.serialize(a)).isEqualTo(CanonicalJson.serialize(b)).isEqualTo(
        "{\"aa\":true,\"x\":1,\"y\":\"2\"}");
  }

  static Stream<Arguments> rejected() {
    return Stream.of(
        Arguments.of("double", 1.5d, "unsupported value type java.lang.Double"),
        Arguments.of("float", 1.5f, "unsupported value type java.lang.Float"),
        Arguments.of("BigDecimal", new BigDecimal("1"), "unsupported value type java.math.BigDecimal"),
        Arguments.of("BigInteger", BigInteger.ONE, "unsupported value type java.math.BigInteger"),
        Arguments.of("double nested in a map", object("n", 0.0d), "unsupported value type java.lang.Double"),
        Arguments.of("2^53", 1L << 53, "expected: |n| <= 2^53 - 1"),
        Arguments.of("Long.MIN_VALUE", Long.MIN_VALUE, "expected: |n| <= 2^53 - 1"),
        Arguments.of("non-string key", Map.of(1, "x"), "object key 1 (expected: a String)"),
        Arguments.of("lone high surrogate", "a\ud83d", "lone surrogate U+d83d at index 1"),
        Arguments.of("lone low surrogate", "\ude00b", "lone surrogate U+de00 at index 0"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rejected")
  void serialize_valueOutsideDomain_throwsIllegalArgument(String name, Object input, String message) {
    assertThatThrownBy(() -> CanonicalJson.serialize(input))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }
}
