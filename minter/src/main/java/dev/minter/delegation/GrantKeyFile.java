package dev.minter.delegation;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * Minter's grant-signing key: one EC P-256 private JWK in a file readable by its owner only, generated on first
 * start (like the ledger key). Whoever reads it can forge delegation grants for any open task, so a file any group or
 * other user can access is refused. Messages name the file and the problem, never the key.
 */
public final class GrantKeyFile {
  private static final Set<PosixFilePermission> GROUP_OR_OTHERS =
      EnumSet.of(
          PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
          PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

  private GrantKeyFile() {}

  /** Loads the key at {@code file}, creating it (mode 0600, parent directories 0700) if it does not exist. */
  public static ECKey loadOrCreate(Path file) {
    Path path = requireNonNull(file, "file").toAbsolutePath();
    try {
      if (Files.notExists(path)) {
        create(path);
      }
      return load(path);
    } catch (IOException e) {
      throw new UncheckedIOException("grant key file " + path + ": " + e.getMessage(), e);
    }
  }

  /** Written to a 0600 temporary file, synced, then linked into place: two first starts never replace each other. */
  private static void create(Path file) throws IOException {
    Path dir = file.getParent();
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    ECKey key;
    try {
      key = new ECKeyGenerator(Curve.P_256)
          .keyUse(KeyUse.SIGNATURE)
          .algorithm(JWSAlgorithm.ES256)
          .keyIDFromThumbprint(true)
          .generate();
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot generate an EC P-256 key", e);
    }
    Path tmp = Files.createTempFile(
        dir, ".minter-grant-key-", ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        channel.write(java.nio.ByteBuffer.wrap(key.toJSONString().getBytes(StandardCharsets.UTF_8)));
        channel.force(true);
      }
      try {
        Files.createLink(file, tmp);
      } catch (FileAlreadyExistsException raceLost) {
        // Another process created it first: use that key, which load() checks like any other.
      } catch (UnsupportedOperationException | FileSystemException noHardLinks) {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static ECKey load(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException("grant key file " + file + " is not a regular file");
    }
    Set<PosixFilePermission> perms;
    try {
      perms = Files.getPosixFilePermissions(file);
    } catch (UnsupportedOperationException e) {
      throw new IllegalStateException(
          "grant key file " + file + ": no POSIX permissions, so Minter cannot check that only its owner reads it", e);
    }
    if (!Collections.disjoint(perms, GROUP_OR_OTHERS)) {
      throw new IllegalStateException(
          "grant key file " + file + " has permissions " + PosixFilePermissions.toString(perms)
              + " (expected: owner only, rw-------); other users could forge delegation grants: chmod 600 " + file);
    }
    ECKey key;
    try {
      key = ECKey.parse(Files.readString(file, StandardCharsets.UTF_8));
    } catch (ParseException e) {
      throw new IllegalStateException("grant key file " + file + " does not hold an EC JWK", e);
    }
    if (!key.isPrivate() || !Curve.P_256.equals(key.getCurve()) || key.getKeyID() == null) {
      throw new IllegalStateException(
          "grant key file " + file + " does not hold a private EC P-256 key with a kid (expected: as Minter writes it)");
    }
    return key;
  }
}
