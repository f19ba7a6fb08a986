package dev.minter.attest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class SpiffeIdTest {

  @ParameterizedTest
  @ValueSource(strings = {
      "spiffe://minter.local/agents/research-bot",
      "spiffe://corp.example/ns/prod/sa/Api_Server-2.0",
      "spiffe://under_score-td.9/a",
      "spiffe://minter.local/..a/.b./c..",
  })
  void parse_validId_roundTrips(String id) {
    assertThat(SpiffeId.parse(id).toString()).isEqualTo(id);
  }

  @Test
  void parse_workloadId_splitsTrustDomainAndPath() {
    SpiffeId id = SpiffeId.parse("spiffe://minter.local/agents/research-bot");

    assertThat(id.trustDomain()).isEqualTo("minter.local");
    assertThat(id.path()).isEqualTo("/agents/research-bot");
    assertThat(id.isTrustDomainId()).isFalse();
  }

  @Test
  void parse_trustDomainOnly_isTrustDomainId() {
    assertThat(SpiffeId.parse("spiffe://minter.local").isTrustDomainId()).isTrue();
  }

  static Stream<Arguments> invalidIds() {
    return Stream.of(
        arguments("empty", "", "is empty"),
        arguments("no scheme", "minter.local/agents/x", "no scheme"),
        arguments("https scheme", "https://minter.local/agents/x", "scheme must be 'spiffe'"),
        arguments("uppercase scheme", "SPIFFE://minter.local/agents/x", "scheme must be 'spiffe'"),
        arguments("port", "spiffe://minter.local:443/x", "port"),
        arguments("userinfo", "spiffe://u:p@minter.local/x", "userinfo"),
        arguments("query", "spiffe://minter.local/x?y", "query"),
        arguments("fragment", "spiffe://minter.local/x#y", "fragment"),
        arguments("empty trust domain", "spiffe:///x", "no trust domain"),
        arguments("uppercase trust domain", "spiffe://Minter.local/x", "trust domain characters"),
        arguments("space in trust domain", "spiffe://minter local/x", "trust domain characters"),
        arguments("empty segment", "spiffe://minter.local//x", "must not be empty"),
        arguments("dot segment", "spiffe://minter.local/./x", "'.' or '..'"),
        arguments("dot-dot segment", "spiffe://minter.local/a/..", "'.' or '..'"),
        arguments("trailing slash", "spiffe://minter.local/x/", "must not end with '/'"),
        arguments("root path", "spiffe://minter.local/", "must not end with '/'"),
        arguments("percent-encoding", "spiffe://minter.local/a%20b", "path characters"),
        arguments("non-ASCII path", "spiffe://minter.local/agént", "path characters"),
        arguments("too long", "spiffe://minter.local/" + "a".repeat(2048), "longer than 2048 bytes"),
        arguments("trust domain too long", "spiffe://" + "a".repeat(256) + "/x", "longer than 255"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidIds")
  void parse_invalidId_throwsNamingTheProblem(String name, String id, String fragment) {
    assertThatThrownBy(() -> SpiffeId.parse(id))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(fragment);
  }

  @Test
  void constructor_invalidTrustDomain_throws() {
    assertThatThrownBy(() -> new SpiffeId("Bad", "/x")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void isValidTrustDomain_checksCharacters() {
    assertThat(SpiffeId.isValidTrustDomain("minter.local")).isTrue();
    assertThat(SpiffeId.isValidTrustDomain("minter.local:80")).isFalse();
    assertThat(SpiffeId.isValidTrustDomain("")).isFalse();
  }
}
