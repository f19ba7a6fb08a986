package dev.minter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PolicyReloadAndPostureConfigTest {
  @TempDir Path dir;

  private static final String BASE =
      """
      listen: 127.0.0.1:8443
      tls: {cert: server.pem, key: server.key}
      vault: {address: "http://127.0.0.1:8200", token_file: minter.token}
      ledger: {sqlite: ledger.db, key_file: ledger.key}
      audit: {file: audit.jsonl}
      policy: policy.yaml
      """;

  private MinterConfig load(String extra) throws Exception {
    return ConfigLoader.load(Files.writeString(dir.resolve("minter.yaml"), BASE + extra));
  }

  @Test
  void load_noSections_reloadOnEveryTwoSecondsAndNoPosture() throws Exception {
    MinterConfig config = load("");

    assertThat(config.policyReload()).isEqualTo(new PolicyReloadSettings(true, Duration.ofSeconds(2)));
    assertThat(config.posture()).isNull();
  }

  @Test
  void load_policyReload_readsEnabledAndInterval() throws Exception {
    assertThat(load("policy_reload: {enabled: false, interval: 500ms}\n").policyReload())
        .isEqualTo(new PolicyReloadSettings(false, Duration.ofMillis(500)));
  }

  @Test
  void load_fileSource_resolvesThePathAgainstTheConfigFolder() throws Exception {
    PostureSettings posture = load("posture: {source: file, file: posture.yaml}\n").posture();

    assertThat(posture.source()).isEqualTo("file");
    assertThat(posture.file()).isEqualTo(dir.resolve("posture.yaml"));
    assertThat(posture.interval()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void load_webhookSource_readsEveryKeyAndDefaults() throws Exception {
    PostureSettings posture = load(
        """
        posture:
          source: webhook
          url: https://posture.corp.example/check
          timeout: 250ms
          cache_ttl: 1m
          ca_file: posture-ca.pem
          on_error: {healthy: false, tier: 0}
        """).posture();

    assertThat(posture.url()).isEqualTo(URI.create("https://posture.corp.example/check"));
    assertThat(posture.timeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(posture.cacheTtl()).isEqualTo(Duration.ofMinutes(1));
    assertThat(posture.caFile()).isEqualTo(dir.resolve("posture-ca.pem"));
    assertThat(posture.maxEntries()).isEqualTo(10_000);
    assertThat(posture.onError()).isEqualTo(Map.of("healthy", false, "tier", 0));
  }

  static Stream<Arguments> invalidSections() {
    return Stream.of(
        Arguments.of("unknown source", "posture: {source: ldap}\n", "posture.source"),
        Arguments.of("file source without file", "posture: {source: file}\n", "posture.file"),
        Arguments.of("webhook without url", "posture: {source: webhook}\n", "posture.url"),
        Arguments.of("plain http to another host", "posture: {source: webhook, url: \"http://posture.corp\"}\n",
            "over http"),
        Arguments.of("credentials in the url", "posture: {source: webhook, url: \"https://u:p@posture.corp\"}\n",
            "user info"),
        Arguments.of("file keys on a webhook", "posture: {source: webhook, url: \"https://p.corp\", file: x}\n",
            "posture.file"),
        Arguments.of("zero timeout", "posture: {source: webhook, url: \"https://p.corp\", timeout: 0s}\n",
            "posture.timeout"),
        Arguments.of("misspelt key", "posture: {source: webhook, url: \"https://p.corp\", cache-ttl: 1s}\n",
            "cache-ttl"),
        Arguments.of("zero reload interval", "policy_reload: {interval: 0s}\n", "policy_reload.interval"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidSections")
  void load_invalidSection_isAnErrorNamingTheKey(String name, String section, String named) {
    assertThatThrownBy(() -> load(section)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(named);
  }

  @Test
  void load_plainHttpToLoopback_isAllowed() throws Exception {
    assertThat(load("posture: {source: webhook, url: \"http://127.0.0.1:9000/p\"}\n").posture().url().getPort())
        .isEqualTo(9000);
  }
}
