package dev.minter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path dir;

  private static final String VALID =
      """
      listen: 127.0.0.1:8443
      tls: {cert: certs/server.pem, key: /etc/minter/server.key}
      trust_domains: {corp.example: certs/ca.pem}
      vault: {address: "http://127.0.0.1:8200", token_file: minter.token, timeout: 3s}
      ledger: {sqlite: ledger.db, key_file: ledger.key}
      audit: {file: audit.jsonl}
      policy: policy.yaml
      """;

  @Test
  void load_relativePaths_resolveAgainstTheConfigFolder() throws Exception {
    Path file = Files.writeString(dir.resolve("minter.yaml"), VALID);

    MinterConfig config = ConfigLoader.load(file);

    assertThat(config.tls().cert()).isEqualTo(dir.resolve("certs/server.pem"));
    assertThat(config.tls().key()).isEqualTo(Path.of("/etc/minter/server.key"));
    assertThat(config.trustDomains()).containsEntry("corp.example", dir.resolve("certs/ca.pem"));
    assertThat(config.vault().timeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(config.vault().tokenRole()).isEqualTo("minter-task");
    assertThat(config.maintenanceInterval()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void load_unknownKey_isAnErrorNamingIt() throws Exception {
    Path file = Files.writeString(dir.resolve("minter.yaml"), VALID + "polcy: typo.yaml\n");

    assertThatThrownBy(() -> ConfigLoader.load(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("minter.yaml")
        .hasMessageContaining("polcy");
  }

  @Test
  void load_missingRequiredSection_isAnErrorNamingIt() throws Exception {
    Path file = Files.writeString(dir.resolve("minter.yaml"), VALID.replace("audit: {file: audit.jsonl}\n", ""));

    assertThatThrownBy(() -> ConfigLoader.load(file)).hasMessageContaining("audit");
  }

  @Test
  void load_badDuration_isAnErrorNamingTheValue() throws Exception {
    Path file = Files.writeString(dir.resolve("minter.yaml"), VALID.replace("timeout: 3s", "timeout: soon"));

    assertThatThrownBy(() -> ConfigLoader.load(file)).hasMessageContaining("'soon' is not a duration");
  }
}
