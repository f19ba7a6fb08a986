package dev.minter.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Edits to a log, as an attacker or a crash would make them. Hashes are recomputed here independently of the
 * production code, so a test cannot pass by sharing a bug with it.
 */
final class Tamper {
  private Tamper() {}

  static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** {@code line} with {@code edit} applied to its record and the hash recomputed, as an informed forger would. */
  static String forge(String line, Consumer<Map<String, Object>> edit) {
    Map<String, Object> record = new LinkedHashMap<>(RecordCodec.parse(line));
    edit.accept(record);
    record.remove("hash");
    record.put("hash", sha256(CanonicalJson.serialize(record)));
    return CanonicalJson.serialize(record);
  }

  /** A whole-file edit built from an edit of a copy of the lines (index 0 is record 1). */
  static Function<List<String>, String> lines(Consumer<List<String>> edit) {
    return original -> {
      List<String> copy = new ArrayList<>(original);
      edit.accept(copy);
      return String.join("\n", copy) + "\n";
    };
  }
}
