package dev.minter.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class VaultGatewayConfigTest {
  private static final URI ADDR = URI.create("http://127.0.0.1:8200");

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of("fail scheme", URI.create("ftp://vault:8200"), "minter-task", Duration.ofSeconds(5), "address"),
        Arguments.of("fail no host", URI.create("http:/relative"), "minter-task", Duration.ofSeconds(5), "address"),
        Arguments.of("fail blank role", ADDR, " ", Duration.ofSeconds(5), "tokenRole"),
        Arguments.of("fail role with path", ADDR, "minter-task/../x", Duration.ofSeconds(5), "tokenRole"),
        Arguments.of("fail zero timeout", ADDR, "minter-task", Duration.ZERO, "requestTimeout"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void new_invalidField_rejectedNamingTheField(String name, URI address, String role, Duration timeout, String field) {
    assertThatThrownBy(
            () -> new VaultGatewayConfig(address, () -> Secret.of("t"), role, timeout, Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(field + ":");
  }

  @Test
  void new_trailingSlash_removed() {
    VaultGatewayConfig config =
        new VaultGatewayConfig(
            URI.create("https://vault.internal:8200/"), () -> Secret.of("t"), "r", Duration.ofSeconds(1), Optional.empty());

    assertThat(config.address()).hasToString("https://vault.internal:8200");
  }

  @Test
  void tokenFile_rotatedOnDisk_newTokenReadOnNextCall(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("minter.token");
    Files.writeString(file, "s.first\n");
    var supplier = VaultGatewayConfig.tokenFile(file);
    assertThat(supplier.get()).isEqualTo(Secret.of("s.first"));

    Files.writeString(file, "s.second");

    assertThat(supplier.get()).isEqualTo(Secret.of("s.second"));
  }

  @Test
  void tokenFile_missing_messageNamesFileOnly(@TempDir Path dir) {
    Path file = dir.resolve("absent.token");

    assertThatThrownBy(() -> VaultGatewayConfig.tokenFile(file).get())
        .isInstanceOf(UncheckedIOException.class)
        .hasMessage("Minter token file " + file + " cannot be read");
  }
}
