package dev.minter.ledger;

import static java.util.Objects.requireNonNull;

import dev.minter.keys.OwnerOnlyFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;

/**
 * The ledger's key file: exactly {@value TokenCipher#KEY_BYTES} raw bytes, readable by its owner only. Messages
 * name the file and what is wrong with it, never its content.
 */
final class LedgerKeyFile {
  private LedgerKeyFile() {}

  static byte[] loadOrCreate(Path keyFile, SecureRandom random) {
    Path file = requireNonNull(keyFile, "keyFile").toAbsolutePath();
    try {
      if (Files.notExists(file)) {
        create(file, random);
      }
      return load(file);
    } catch (IOException e) {
      throw new LedgerException("ledger key file " + file + ": " + e, e);
    }
  }

  /** A fresh key, written once and atomically (see {@link OwnerOnlyFile#createOnce}). */
  private static void create(Path file, SecureRandom random) throws IOException {
    byte[] key = new byte[TokenCipher.KEY_BYTES];
    try {
      random.nextBytes(key);
      OwnerOnlyFile.createOnce(file, key);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  private static byte[] load(Path file) throws IOException {
    // Whoever reads this key can decrypt every task token in the ledger: owner-only is not negotiable.
    Optional<String> problem = OwnerOnlyFile.problem(file);
    if (problem.isPresent()) {
      throw new LedgerException("ledger key file " + file + " " + problem.get()
          + "; other users could read the key: chmod 600 " + file);
    }
    long size = Files.size(file);
    if (size != TokenCipher.KEY_BYTES) {
      throw new LedgerException(
          "ledger key file " + file + " holds " + size + " bytes (expected: " + TokenCipher.KEY_BYTES
              + "); refusing to use it as the ledger key");
    }
    byte[] key = Files.readAllBytes(file);
    if (key.length != TokenCipher.KEY_BYTES) { // changed between the size check and the read
      Arrays.fill(key, (byte) 0);
      throw new LedgerException("ledger key file " + file + " changed while it was read");
    }
    return key;
  }
}
