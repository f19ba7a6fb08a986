package dev.minter.attest.aws;

import dev.minter.attest.Reasons;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.minter.attest.Attestors;
import java.io.IOException;

/**
 * The one strict JSON reader for AWS evidence: duplicate keys are errors (two parsers must never disagree on which
 * {@code instanceId} counts), nesting, string, name and token counts are bounded so a hostile payload is refused in
 * microseconds, and trailing content is an error.
 */
final class IidJson {
  /** A real document is ~500 bytes and its signature ~1.5 KiB of base64; anything near this is not AWS's. */
  static final int MAX_STRING = 16 * 1024;

  private static final ObjectMapper MAPPER =
      new ObjectMapper(
              JsonFactory.builder()
                  .streamReadConstraints(
                      StreamReadConstraints.builder()
                          .maxNestingDepth(8) // the real document nests 2 deep
                          .maxStringLength(MAX_STRING)
                          .maxNameLength(128)
                          .maxNumberLength(32)
                          .maxDocumentLength(Attestors.MAX_EVIDENCE_BYTES)
                          .maxTokenCount(4_096)
                          .build())
                  .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                  .build())
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private IidJson() {}

  /**
   * Parses {@code bytes} as one JSON object. Parser messages are not passed on: they quote the input, which is a
   * bearer credential and must not reach logs or the audit trail.
   */
  static JsonNode object(byte[] bytes, String what) throws IidRejection {
    JsonNode node;
    try {
      node = MAPPER.readTree(bytes);
    } catch (StreamConstraintsException e) {
      throw IidRejection.malformed(what + " exceeds a parsing limit (nesting, string length, size or token count)");
    } catch (JsonParseException e) {
      boolean duplicate = e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Duplicate field");
      throw IidRejection.malformed(what + (duplicate ? " has a duplicate field" : " is not valid JSON"));
    } catch (IOException | RuntimeException e) {
      throw IidRejection.malformed(what + " is not valid JSON");
    }
    if (node == null || !node.isObject()) {
      throw IidRejection.malformed(what + " is not a JSON object");
    }
    return node;
  }

  /** {@code value} made safe to quote in a reason: printable ASCII only, cut short. */
  static String quote(String value) {
    return Reasons.quote(value);
  }
}
