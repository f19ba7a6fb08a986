package dev.minter.attest.azure;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.minter.attest.Attestors;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The one JSON reader for Azure documents, strict and bounded: UTF-8 only, one top-level object and nothing after
 * it, no duplicate keys (two parsers that pick different duplicates would see different documents), at most
 * {@value #MAX_DEPTH} levels of nesting (Azure's documents have two), short strings and numbers.
 */
final class StrictJson {
  static final int MAX_DEPTH = 8;
  private static final ObjectMapper MAPPER = new ObjectMapper(
      JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder()
              .maxNestingDepth(MAX_DEPTH)
              .maxStringLength(Attestors.MAX_EVIDENCE_BYTES)
              .maxNumberLength(32)
              .maxDocumentLength(Attestors.MAX_EVIDENCE_BYTES)
              .build())
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build())
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private StrictJson() {}

  /** The JSON object in {@code bytes}; {@code what} names the document in the reason. */
  static JsonNode readObject(byte[] bytes, String what) throws Refusal {
    String text;
    try {
      // Jackson would guess UTF-16/32 from the first bytes; Azure writes UTF-8, so accept nothing else.
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw Refusal.malformed(what + " is not UTF-8 text");
    }
    JsonNode node;
    try {
      node = MAPPER.readTree(text);
    } catch (StreamConstraintsException e) {
      throw Refusal.malformed(what + " exceeds the JSON limits (" + limit(e) + ")");
    } catch (JsonProcessingException e) {
      // The parser's message quotes the input: keep only what kind of problem it was.
      String m = String.valueOf(e.getOriginalMessage());
      throw Refusal.malformed(what + (m.startsWith("Duplicate field") ? " has a duplicate key" : " is not valid JSON"));
    }
    if (node == null || !node.isObject()) {
      throw Refusal.malformed(what + " is not a JSON object");
    }
    return node;
  }

  private static String limit(StreamConstraintsException e) {
    String m = String.valueOf(e.getMessage());
    return m.contains("nesting depth") ? "nested deeper than " + MAX_DEPTH + " levels" : "a value is too long";
  }
}
