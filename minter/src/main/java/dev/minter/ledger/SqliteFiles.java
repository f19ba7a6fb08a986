package dev.minter.ledger;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The checks {@link SqliteLedger#open} makes around its file: created owner-only, and run in WAL mode. Holds no
 * state.
 */
final class SqliteFiles {
  private SqliteFiles() {}

  /** The file holds no plaintext secret, but task metadata is nobody else's business either. */
  static void createOwnerOnly(Path file) {
    try {
      Path dir = file.getParent();
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (FileAlreadyExistsException existing) {
      // Reopening: keep the file as it is.
    } catch (IOException | UnsupportedOperationException e) {
      throw new LedgerException("ledger: cannot create " + file + ": " + e, e);
    }
  }

  /** WAL is what makes synchronous=FULL cheap; a file system that refuses it (some network mounts) is refused. */
  static void requireWal(Connection connection, Path file) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet mode = statement.executeQuery("PRAGMA journal_mode")) {
      String actual = mode.next() ? mode.getString(1) : "unknown";
      if (!"wal".equalsIgnoreCase(actual)) {
        throw new LedgerException("ledger: " + file + " runs in journal mode " + actual + " (expected: wal)");
      }
    }
  }
}
