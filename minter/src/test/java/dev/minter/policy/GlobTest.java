package dev.minter.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GlobTest {

  static Stream<Arguments> table() {
    return Stream.of(
        // name, glob, value, matches
        Arguments.of("literal equal", "spiffe://td/agents/bot", "spiffe://td/agents/bot", true),
        Arguments.of("literal is whole-string, not prefix", "spiffe://td/agents/bot", "spiffe://td/agents/bot2", false),
        Arguments.of("literal is whole-string, not suffix", "agents/bot", "spiffe://td/agents/bot", false),
        Arguments.of("star matches one segment", "spiffe://td/agents/*", "spiffe://td/agents/bot", true),
        Arguments.of("star matches empty", "spiffe://td/agents/*", "spiffe://td/agents/", true),
        Arguments.of("star does not cross slash", "spiffe://td/agents/*", "spiffe://td/agents/a/bot", false),
        Arguments.of("star inside a segment", "spiffe://td/*/bot", "spiffe://td/x/bot", true),
        Arguments.of("star inside does not cross slash", "spiffe://td/*/bot", "spiffe://td/x/y/bot", false),
        Arguments.of("star in trust domain stops at slash", "spiffe://*/bot", "spiffe://evil/td/bot", false),
        Arguments.of("double star crosses slash", "spiffe://td/team/**", "spiffe://td/team/a/b/c", true),
        Arguments.of("double star matches everything", "**", "anything/at//all", true),
        Arguments.of("double star matches newline", "a**b", "a\nb", true),
        Arguments.of("triple star acts as double", "a/***", "a/b/c", true),
        Arguments.of("purpose prefix", "report:*", "report:weekly", true),
        Arguments.of("purpose prefix not crossing slash", "report:*", "report:a/b", false),
        Arguments.of("dot is literal", "a.b", "axb", false),
        Arguments.of("dot matches dot", "a.b", "a.b", true),
        Arguments.of("plus is literal", "a+b", "aab", false),
        Arguments.of("plus matches plus", "a+b", "a+b", true),
        Arguments.of("parentheses are literal", "(x|y)", "x", false),
        Arguments.of("parentheses match themselves", "(x|y)", "(x|y)", true),
        Arguments.of("brackets are literal", "[ab]", "a", false),
        Arguments.of("question mark is literal", "a?", "a", false),
        Arguments.of("anchors are literal", "^a$", "a", false),
        Arguments.of("backslash-E cannot end the quoting", "a\\E.*", "aXYZ", false),
        Arguments.of("backslash-E matches itself", "a\\E.*", "a\\E.", true),
        Arguments.of("empty glob matches only empty", "", "x", false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void matches_table_expectedResult(String name, String glob, String value, boolean expected) {
    assertThat(Glob.compile(glob).matches(value)).isEqualTo(expected);
  }

  @Test
  void pattern_compiled_keepsTextAsWritten() {
    Glob glob = Glob.compile("spiffe://td/*");

    assertThat(glob.pattern()).isEqualTo("spiffe://td/*");
    assertThat(glob).hasToString("spiffe://td/*").isEqualTo(Glob.compile("spiffe://td/*"));
  }
}
