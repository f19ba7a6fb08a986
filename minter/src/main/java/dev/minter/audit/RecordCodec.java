package dev.minter.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The record format shared by the writer, the verifier and readers: field names, parsing, hashing. */
final class RecordCodec {
  static final String SEQ = "seq";
  static final String TIME = "time";
  static final String EVENT = "event";
  static final String PREV = "prev";
  static final String HASH = "hash";
  static final Set<String> RESERVED = Set.of(SEQ, TIME, EVENT, PREV, HASH);
  static final String ZERO_HASH = "0".repeat(64);

  // Strict parsing: a duplicated key could otherwise show one value to a reader and hash another, and trailing
  // content on a line would be silently ignored.
  private static final JsonMapper MAPPER =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.USE_LONG_FOR_INTS)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();
  private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {};

  private RecordCodec() {}

  /**
   * Parses one line (without its terminator) as a JSON object.
   *
   * @throws IllegalArgumentException if it is not exactly one JSON object
   */
  static Map<String, Object> parse(String line) {
    if (line.isEmpty() || line.charAt(0) != '{') {
      throw new IllegalArgumentException("not a JSON object");
    }
    try {
      return MAPPER.readValue(line, MAP);
    } catch (JsonProcessingException e) {
      // The parser's own message may quote the line; keep the reason short and let the caller name the record.
      throw new IllegalArgumentException("not valid JSON", e);
    }
  }

  /** The hash a record must carry: SHA-256 over the canonical JSON of every field except {@code hash}. */
  static String hashOf(Map<String, Object> record) {
    Map<String, Object> preimage = new LinkedHashMap<>(record);
    preimage.remove(HASH);
    return sha256Hex(CanonicalJson.toUtf8(preimage));
  }

  static String sha256Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }

  static boolean isHash(Object value) {
    if (!(value instanceof String s) || s.length() != 64) {
      return false;
    }
    for (int i = 0; i < 64; i++) {
      char c = s.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }

  /** The line the log stores for a complete record: its canonical JSON and a newline. */
  static byte[] line(Map<String, Object> record) {
    return (CanonicalJson.serialize(record) + "\n").getBytes(StandardCharsets.UTF_8);
  }
}
