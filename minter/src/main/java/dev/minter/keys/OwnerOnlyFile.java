package dev.minter.keys;

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
import java.util.Collections;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Files only their owner may read, for Minter's own keys (the ledger's token key, the grant-signing key): created once
 * and atomically, and refused when any group or other user could read them. Messages never include the content.
 */
public final class OwnerOnlyFile {
  private static final Set<PosixFilePermission> GROUP_OR_OTHERS =
      EnumSet.of(
          PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
          PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

  private OwnerOnlyFile() {}

  /**
   * Writes {@code content} to a 0600 temporary file in {@code file}'s folder (created 0700 if missing), syncs it, then
   * links it into place. link(2) fails when the name exists, so two first starts racing never replace a key one of
   * them already uses (the loser reads the winner's); a reader never sees a half-written file because the name appears
   * only once the bytes are durable.
   */
  public static void createOnce(Path file, byte[] content) throws IOException {
    Path dir = file.getParent();
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    Path tmp = Files.createTempFile(
        dir, ".minter-key-", ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        channel.write(ByteBuffer.wrap(content));
        channel.force(true);
      }
      try {
        Files.createLink(file, tmp);
      } catch (FileAlreadyExistsException raceLost) {
        // Another process created it first: use that one, which the caller checks like any other.
      } catch (UnsupportedOperationException | FileSystemException noHardLinks) {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      }
      syncDirectory(dir);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * What makes {@code file} unfit to hold a key, in words that end a sentence beginning with the file's name, e.g.
   * {@code "has permissions rw-r--r-- (expected: owner only, rw-------)"}; empty if only its owner can access it.
   */
  public static Optional<String> problem(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      return Optional.of("is not a regular file");
    }
    Set<PosixFilePermission> perms;
    try {
      perms = Files.getPosixFilePermissions(file);
    } catch (UnsupportedOperationException e) {
      return Optional.of(": the file system has no POSIX permissions, so Minter cannot check that only its owner can"
          + " read it");
    }
    if (!Collections.disjoint(perms, GROUP_OR_OTHERS)) {
      return Optional.of("has permissions " + PosixFilePermissions.toString(perms) + " (expected: owner only, rw-------)");
    }
    return Optional.empty();
  }

  private static void syncDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true); // makes the new name durable; Linux allows fsync on a directory
    } catch (IOException notSupported) {
      // Best effort: some platforms cannot open a directory; the bytes themselves were already synced.
    }
  }
}
