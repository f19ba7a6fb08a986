package dev.minter.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Reads an audit log's records for queries and tests. It does not verify the chain: use {@link AuditVerifier} before
 * trusting what it returns.
 */
public final class AuditRecords {
  private AuditRecords() {}

  /**
   * Every record of {@code file}, in file order, as unmodifiable maps (values are {@link String} or {@link Long}).
   *
   * @throws IllegalArgumentException naming the line if one is not a JSON object
   */
  public static List<Map<String, Object>> read(Path file) throws IOException {
    List<Map<String, Object>> records = new ArrayList<>();
    int n = 0;
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      n++;
      try {
        records.add(Collections.unmodifiableMap(RecordCodec.parse(line)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("audit log " + file + ", line " + n + ": " + e.getMessage(), e);
      }
    }
    return Collections.unmodifiableList(records);
  }
}
