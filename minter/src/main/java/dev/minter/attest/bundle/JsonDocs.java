package dev.minter.attest.bundle;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;

/** Strict, bounded JSON reading for trust documents, and safe quoting of what they contain. */
final class JsonDocs {
  /** No trust document Minter reads is anywhere near this; a bigger one is refused before it is parsed. */
  static final int MAX_DOCUMENT_BYTES = 1 << 20;

  private static final int MAX_QUOTED = 80;

  // Duplicate member names are refused: two parsers reading {"use":"jwt-svid","use":"x509-svid"} differently is
  // exactly how a key slips into the wrong role. Depth and string bounds keep a hostile document cheap to refuse.
  private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder()
              .maxNestingDepth(16)
              .maxStringLength(256 * 1024)
              .maxNumberLength(40)
              .build())
          .build())
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  private JsonDocs() {}

  /** Parses {@code bytes} as one JSON object, refusing anything else (arrays, trailing garbage, duplicates). */
  static JsonNode readObject(byte[] bytes, String what) throws BundleFormatException {
    if (bytes.length > MAX_DOCUMENT_BYTES) {
      throw new BundleFormatException(what + " is " + bytes.length + " bytes (expected: at most "
          + MAX_DOCUMENT_BYTES + ")");
    }
    JsonNode node;
    try (JsonParser parser = MAPPER.createParser(bytes)) {
      node = MAPPER.readTree(parser);
      if (node != null && parser.nextToken() != null) {
        throw new BundleFormatException(what + " has trailing content after the JSON object");
      }
    } catch (BundleFormatException e) {
      throw e;
    } catch (IOException e) {
      // Jackson's message may quote the input; keep only its first line, which names the problem and position.
      throw new BundleFormatException(what + " is not valid JSON: " + firstLine(e.getMessage()));
    }
    if (node == null || !node.isObject()) {
      throw new BundleFormatException(what + " is not a JSON object");
    }
    return node;
  }

  /** {@code value} in single quotes with anything outside printable ASCII replaced, cut to a short length. */
  static String quote(String value) {
    StringBuilder out = new StringBuilder().append('\'');
    for (int i = 0; i < value.length() && i < MAX_QUOTED; i++) {
      char c = value.charAt(i);
      out.append(c >= 0x20 && c < 0x7f && c != '\'' ? c : '?');
    }
    return out.append(value.length() > MAX_QUOTED ? "...'" : "'").toString();
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unparseable";
    }
    int nl = message.indexOf('\n');
    String line = nl < 0 ? message : message.substring(0, nl);
    return line.length() > 160 ? line.substring(0, 160) + "..." : line;
  }
}
