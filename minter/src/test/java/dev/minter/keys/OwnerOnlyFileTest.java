package dev.minter.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link OwnerOnlyFile}: created 0600 once (never replaced), and any group/other access is a problem. */
class OwnerOnlyFileTest {
  @TempDir Path dir;

  @Test
  void createOnce_newFile_isOwnerOnlyWithTheContentAndNoTemporaryLeft() throws Exception {
    Path file = dir.resolve("keys/k");

    OwnerOnlyFile.createOnce(file, new byte[] {1, 2, 3});

    assertThat(Files.readAllBytes(file)).containsExactly(1, 2, 3);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
    assertThat(OwnerOnlyFile.problem(file)).isEmpty();
    try (var listing = Files.list(file.getParent())) {
      assertThat(listing).containsExactly(file);
    }
  }

  @Test
  void createOnce_existingFile_keepsTheFirstContent() throws Exception {
    Path file = dir.resolve("k");
    OwnerOnlyFile.createOnce(file, new byte[] {1});

    OwnerOnlyFile.createOnce(file, new byte[] {2});

    assertThat(Files.readAllBytes(file)).containsExactly(1);
  }

  @Test
  void problem_groupReadable_namesThePermissions() throws Exception {
    Path file = dir.resolve("k");
    OwnerOnlyFile.createOnce(file, new byte[] {1});
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));

    assertThat(OwnerOnlyFile.problem(file)).contains("has permissions rw-r----- (expected: owner only, rw-------)");
  }

  @Test
  void problem_directory_isNotARegularFile() throws Exception {
    assertThat(OwnerOnlyFile.problem(dir)).contains("is not a regular file");
  }
}
