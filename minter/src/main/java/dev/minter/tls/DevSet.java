package dev.minter.tls;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link DevCa#writeDevSet} left in a directory: {@code ca.pem}/{@code ca.key}, {@code server.pem}/{@code
 * server.key} and {@code <name>.pem}/{@code <name>.key} per client.
 *
 * @param dir the directory
 * @param caCreated true when a new CA was made (none was there, or the old one expires within a day)
 * @param issued leaf names (including {@code server}) whose certificate and key were (re)written
 * @param kept leaf names whose existing files were still valid and left as they were
 */
public record DevSet(Path dir, boolean caCreated, List<String> issued, List<String> kept) {
  public DevSet {
    requireNonNull(dir, "dir");
    issued = List.copyOf(requireNonNull(issued, "issued"));
    kept = List.copyOf(requireNonNull(kept, "kept"));
  }

  public Path caCertificate() {
    return dir.resolve("ca.pem");
  }

  public Path certificate(String leafName) {
    return dir.resolve(leafName + ".pem");
  }

  public Path privateKey(String leafName) {
    return dir.resolve(leafName + ".key");
  }
}
