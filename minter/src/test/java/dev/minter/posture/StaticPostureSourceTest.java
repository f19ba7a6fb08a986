package dev.minter.posture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minter.attest.TestClock;
import dev.minter.attest.WorkloadIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StaticPostureSourceTest {
  static final WorkloadIdentity CI_BOT = id("spiffe://corp.example/agents/ci-builder");
  static final WorkloadIdentity RESEARCH = id("spiffe://corp.example/agents/research");
  static final WorkloadIdentity STRANGER = id("spiffe://elsewhere.example/x");

  static final String SIGNALS =
      """
      "spiffe://corp.example/agents/ci-*": {patched: true, edr: healthy, tier: 2, score: 0.75, tags: [a, b],
                                            host: {os: linux, kernel: {major: 6}}, gone: null}
      "spiffe://corp.example/**": {patched: false}
      """;

  @TempDir Path dir;
  final TestClock clock = new TestClock(Instant.parse("2026-11-30T08:00:00Z"));

  static WorkloadIdentity id(String uri) {
    return new WorkloadIdentity(uri, "x509_svid", Map.of());
  }

  StaticPostureSource source(String content) throws Exception {
    return new StaticPostureSource(Files.writeString(dir.resolve("posture.yaml"), content), clock, Duration.ofSeconds(2));
  }

  @Test
  void signals_firstMatchingGlobWins_valuesNormalizedAndNullsDropped() throws Exception {
    StaticPostureSource source = source(SIGNALS);

    assertThat(source.signals(CI_BOT)).containsExactly(
        Map.entry("patched", true),
        Map.entry("edr", "healthy"),
        Map.entry("tier", 2L),
        Map.entry("score", 0.75),
        Map.entry("tags", List.of("a", "b")),
        Map.entry("host", Map.of("os", "linux", "kernel", Map.of("major", 6L))));
    assertThat(source.signals(RESEARCH)).isEqualTo(Map.of("patched", false));
  }

  @Test
  void signals_noGlobMatches_isEmpty() throws Exception {
    assertThat(source(SIGNALS).signals(STRANGER)).isEmpty();
  }

  @Test
  void signals_jsonFile_isReadToo() throws Exception {
    StaticPostureSource source = source("{\"spiffe://corp.example/**\": {\"patched\": true, \"cves\": 0}}");

    assertThat(source.signals(RESEARCH)).isEqualTo(Map.of("patched", true, "cves", 0L));
  }

  @Test
  void signals_fileChanged_isReloadedAfterTheInterval() throws Exception {
    StaticPostureSource source = source(SIGNALS);
    Files.writeString(dir.resolve("posture.yaml"), "\"spiffe://corp.example/**\": {patched: true}\n");

    assertThat(source.signals(RESEARCH)).isEqualTo(Map.of("patched", false)); // not re-checked yet
    clock.advance(Duration.ofSeconds(3));
    assertThat(source.signals(RESEARCH)).isEqualTo(Map.of("patched", true));
    assertThat(source.signals(CI_BOT)).isEqualTo(Map.of("patched", true));
  }

  @Test
  void signals_fileChangedToInvalid_keepsTheLastGoodSignals() throws Exception {
    StaticPostureSource source = source(SIGNALS);
    Files.writeString(dir.resolve("posture.yaml"), "- not a mapping\n");
    clock.advance(Duration.ofSeconds(3));

    assertThat(source.signals(RESEARCH)).isEqualTo(Map.of("patched", false));

    Files.delete(dir.resolve("posture.yaml"));
    clock.advance(Duration.ofSeconds(3));
    assertThat(source.signals(RESEARCH)).isEqualTo(Map.of("patched", false));

    Files.writeString(dir.resolve("posture.yaml"), SIGNALS); // back, unchanged: read again after going missing
    clock.advance(Duration.ofSeconds(3));
    assertThat(source.signals(CI_BOT)).containsEntry("patched", true);
  }

  @Test
  void constructor_invalidFile_failsNamingTheFileAndTheEntry() throws Exception {
    assertThatThrownBy(() -> source("\"spiffe://corp.example/**\": [patched]\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("posture.yaml")
        .hasMessageContaining("spiffe://corp.example/**")
        .hasMessageContaining("expected a JSON object of signals");
    assertThatThrownBy(() -> new StaticPostureSource(dir.resolve("missing.yaml"), clock, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("missing.yaml");
  }
}
