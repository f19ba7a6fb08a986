package dev.minter.audit;

import static java.nio.file.StandardOpenOption.APPEND;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The audit log file: opened append-only, exclusively locked, created {@code 0640}.
 *
 * <p>The exclusive lock matters for integrity, not just tidiness: two writers appending to one file would each extend
 * the chain from the same head, forking it, and {@code minter audit verify} would then report the log broken.
 */
public final class FileAuditSink implements AuditSink {
  /** Owner reads and writes, group (e.g. an auditors group) reads, others nothing. */
  static final Set<PosixFilePermission> MODE_0640 = PosixFilePermissions.fromString("rw-r-----");

  private final FileChannel channel;
  private final FileLock lock;

  private FileAuditSink(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Opens {@code file} for appending, creating it with mode {@code 0640} if absent.
   *
   * @throws IOException if the file cannot be created or opened, or another writer holds it
   */
  public static FileAuditSink open(Path file) throws IOException {
    requireNonNull(file, "file");
    boolean created = createIfAbsent(file);
    FileChannel channel = FileChannel.open(file, WRITE, APPEND);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null; // held by this JVM
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    if (lock == null) {
      channel.close();
      throw new IOException("audit log " + file + " is in use by another writer");
    }
    if (created) {
      // A new file's directory entry must be durable too, or a crash could lose the whole log after records in
      // it were reported durable.
      forceDirectory(file.toAbsolutePath().getParent());
    }
    return new FileAuditSink(channel, lock);
  }

  private static boolean createIfAbsent(Path file) throws IOException {
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(MODE_0640));
    } catch (FileAlreadyExistsException e) {
      return false;
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system: create it with the platform's defaults.
      try {
        Files.createFile(file);
      } catch (FileAlreadyExistsException again) {
        return false;
      }
      return true;
    }
    // The umask may have narrowed the mode; set it exactly so auditors in the group can read the log.
    Files.setPosixFilePermissions(file, MODE_0640);
    return true;
  }

  private static void forceDirectory(Path dir) throws IOException {
    try (FileChannel d = FileChannel.open(dir, READ)) {
      d.force(true);
    }
  }

  @Override
  public void write(byte[] bytes) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }

  @Override
  public void force() throws IOException {
    // force(true): the file's length is metadata, and a record is not readable after a crash unless it is durable.
    channel.force(true);
  }

  @Override
  public void close() throws IOException {
    try {
      if (lock.isValid()) {
        lock.release();
      }
    } finally {
      channel.close();
    }
  }
}
