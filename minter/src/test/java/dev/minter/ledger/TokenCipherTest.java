package dev.minter.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minter.vault.Secret;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class TokenCipherTest {
  @TempDir Path dir;

  @Test
  void encrypt_thenDecryptForSameTask_returnsToken() {
    TokenCipher cipher = TokenCipher.loadOrCreate(dir.resolve("ledger.key"));
    Secret token = LedgerFixtures.randomToken();

    assertThat(cipher.decrypt("task-1", cipher.encrypt("task-1", token))).isEqualTo(token);
  }

  @Test
  void encrypt_sameTokenTwice_usesFreshNonceAndVersionedLayout() {
    TokenCipher cipher = TokenCipher.loadOrCreate(dir.resolve("ledger.key"));
    Secret token = LedgerFixtures.randomToken();

    byte[] first = cipher.encrypt("task-1", token);
    byte[] second = cipher.encrypt("task-1", token);

    assertThat(first).isNotEqualTo(second);
    assertThat(first[0]).isEqualTo((byte) 1);
    assertThat(first).hasSize(1 + 12 + token.reveal().length() + 16);
  }

  static Stream<Arguments> tamperings() {
    return Stream.of(
        Arguments.of("nonce bit flipped", (UnaryOperator<byte[]>) e -> flip(e, 1)),
        Arguments.of("ciphertext bit flipped", (UnaryOperator<byte[]>) e -> flip(e, 14)),
        Arguments.of("tag bit flipped", (UnaryOperator<byte[]>) e -> flip(e, e.length - 1)),
        Arguments.of("truncated tag", (UnaryOperator<byte[]>) e -> Arrays.copyOf(e, e.length - 1)),
        Arguments.of("truncated to header", (UnaryOperator<byte[]>) e -> Arrays.copyOf(e, 13)),
        Arguments.of("unknown version", (UnaryOperator<byte[]>) e -> set(e, 0, (byte) 2)),
        Arguments.of("empty", (UnaryOperator<byte[]>) e -> new byte[0]));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("tamperings")
  void decrypt_tamperedEnvelope_throwsWithoutToken(String name, UnaryOperator<byte[]> tamper) {
    TokenCipher cipher = TokenCipher.loadOrCreate(dir.resolve("ledger.key"));
    Secret token = LedgerFixtures.randomToken();
    byte[] envelope = tamper.apply(cipher.encrypt("task-1", token));

    assertThatThrownBy(() -> cipher.decrypt("task-1", envelope))
        .isInstanceOf(LedgerException.class)
        .hasMessageContaining("task-1")
        .hasMessageNotContaining(token.reveal());
  }

  @Test
  void decrypt_envelopeSealedToAnotherTask_throws() {
    TokenCipher cipher = TokenCipher.loadOrCreate(dir.resolve("ledger.key"));
    byte[] sealedToA = cipher.encrypt("task-a", LedgerFixtures.randomToken());

    assertThatThrownBy(() -> cipher.decrypt("task-b", sealedToA))
        .isInstanceOf(LedgerException.class)
        .hasMessageContaining("task-b")
        .hasMessageContaining("does not authenticate");
  }

  @Test
  void decrypt_wrongKey_throwsWithoutToken() {
    TokenCipher right = TokenCipher.loadOrCreate(dir.resolve("right.key"));
    TokenCipher wrong = TokenCipher.loadOrCreate(dir.resolve("wrong.key"));
    Secret token = LedgerFixtures.randomToken();
    byte[] envelope = right.encrypt("task-1", token);

    assertThatThrownBy(() -> wrong.decrypt("task-1", envelope))
        .isInstanceOf(LedgerException.class)
        .hasMessageContaining("wrong ledger key")
        .hasMessageNotContaining(token.reveal())
        .satisfies(e -> assertThat(e.getCause().getMessage()).doesNotContain(token.reveal()));
  }

  @Test
  void loadOrCreate_missingFileAndDirectories_createsOwnerOnly32ByteKey() throws Exception {
    Path keyFile = dir.resolve("etc/minter/ledger.key");

    TokenCipher.loadOrCreate(keyFile);

    assertThat(Files.size(keyFile)).isEqualTo(32);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile.getParent())))
        .isEqualTo("rwx------");
    try (Stream<Path> left = Files.list(keyFile.getParent())) {
      assertThat(left).containsExactly(keyFile); // no temporary file left behind
    }
  }

  @Test
  void loadOrCreate_existingKey_reusesIt() {
    Path keyFile = dir.resolve("ledger.key");
    Secret token = LedgerFixtures.randomToken();
    byte[] envelope = TokenCipher.loadOrCreate(keyFile).encrypt("task-1", token);

    assertThat(TokenCipher.loadOrCreate(keyFile).decrypt("task-1", envelope)).isEqualTo(token);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"rw-r--r--", "rw-r-----", "rw----r--", "rw--w----", "rw-----w-", "rwx---r-x"})
  void loadOrCreate_keyAccessibleToGroupOrOthers_refused(String perms) throws Exception {
    Path keyFile = dir.resolve("ledger.key");
    TokenCipher.loadOrCreate(keyFile);
    Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString(perms));

    assertThatThrownBy(() -> TokenCipher.loadOrCreate(keyFile))
        .isInstanceOf(LedgerException.class)
        .hasMessageContaining(keyFile.toString())
        .hasMessageContaining(perms)
        .hasMessageContaining("chmod 600");
  }

  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {0, 16, 31, 33, 64})
  void loadOrCreate_keyOfWrongSize_refused(int size) throws Exception {
    Path keyFile = dir.resolve("ledger.key");
    Files.write(keyFile, new byte[size]);
    Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));

    assertThatThrownBy(() -> TokenCipher.loadOrCreate(keyFile))
        .isInstanceOf(LedgerException.class)
        .hasMessageContaining("holds " + size + " bytes (expected: 32)");
  }

  @Test
  void loadOrCreate_directoryInsteadOfFile_refused() throws Exception {
    Path keyFile = Files.createDirectory(dir.resolve("ledger.key"));

    assertThatThrownBy(() -> TokenCipher.loadOrCreate(keyFile))
        .isInstanceOf(LedgerException.class)
        .hasMessageContaining("not a regular file");
  }

  @Test
  void toString_neverShowsKey() throws Exception {
    Path keyFile = dir.resolve("ledger.key");
    TokenCipher cipher = TokenCipher.loadOrCreate(keyFile);
    String hexKey = HexFormat.of().formatHex(Files.readAllBytes(keyFile));

    assertThat(cipher.toString()).contains("redacted").doesNotContainIgnoringCase(hexKey);
  }

  private static byte[] flip(byte[] envelope, int index) {
    return set(envelope, index, (byte) (envelope[index] ^ 0x01));
  }

  private static byte[] set(byte[] envelope, int index, byte value) {
    byte[] copy = envelope.clone();
    copy[index] = value;
    return copy;
  }
}
