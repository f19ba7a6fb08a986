package dev.minter.ledger;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * The ledger's key file: exactly {@value TokenCipher#KEY_BYTES} raw bytes, readable by its owner only. Messages
 * name the file and what is wrong with it, never its content.
 */
final class LedgerKeyFile {
  private static final Set<PosixFilePermission> GROUP_OR_OTHERS =
      EnumSet.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_EXECUTE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_EXECUTE);

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

  /**
   * Writes a fresh key to a 0600 temporary file, syncs it, then links it into place. link(2) fails when the name
   * exists, so two first starts racing cannot replace a key one of them already encrypts with; a reader never sees
   * a half-written key because the name appears only once the bytes are durable.
   */
  private static void create(Path file, SecureRandom random) throws IOException {
    Path dir = file.getParent();
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    Path tmp =
        Files.createTempFile(
            dir, ".minter-key-", ".tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    byte[] key = new byte[TokenCipher.KEY_BYTES];
    try {
      random.nextBytes(key);
      try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        channel.write(ByteBuffer.wrap(key));
        channel.force(true);
      }
      try {
        Files.createLink(file, tmp);
      } catch (FileAlreadyExistsException raceLost) {
        // Another process created it first: use that key, which load() checks like any other.
      } catch (UnsupportedOperationException | FileSystemException noHardLinks) {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      }
      syncDirectory(dir);
    } finally {
      Arrays.fill(key, (byte) 0);
      Files.deleteIfExists(tmp);
    }
  }

  private static byte[] load(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new LedgerException("ledger key file " + file + " is not a regular file");
    }
    Set<PosixFilePermission> perms;
    try {
      perms = Files.getPosixFilePermissions(file);
    } catch (UnsupportedOperationException e) {
      throw new LedgerException(
          "ledger key file " + file + ": the file system has no POSIX permissions, so Minter cannot check that"
              + " only its owner can read the key",
          e);
    }
    // Whoever reads this key can decrypt every task token in the ledger: owner-only is not negotiable.
    if (!Collections.disjoint(perms, GROUP_OR_OTHERS)) {
      throw new LedgerException(
          "ledger key file " + file + " has permissions " + PosixFilePermissions.toString(perms)
              + " (expected: owner only, rw-------); other users could read the key: chmod 600 " + file);
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

  private static void syncDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true); // makes the new name durable; Linux allows fsync on a directory
    } catch (IOException notSupported) {
      // Best effort: some platforms cannot open a directory; the key bytes themselves were already synced.
    }
  }
}
