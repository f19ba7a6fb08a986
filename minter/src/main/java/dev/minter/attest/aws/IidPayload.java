package dev.minter.attest.aws;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Base64;
import java.util.Iterator;
import java.util.Set;

/**
 * The evidence an EC2 agent sends: {@code {"document": "<IMDS document text>", "rsa2048": "<IMDS rsa2048 text>"}},
 * the two answers of the instance metadata service ({@code /latest/dynamic/instance-identity/document} and {@code
 * .../rsa2048}) copied verbatim. Nothing else is allowed in the object, so two readers cannot see different fields.
 *
 * @param document the document text as the agent presents it (only compared with the signed copy, never trusted)
 * @param rsa2048 the DER (or BER) bytes of the PKCS#7 SignedData
 */
public record IidPayload(String document, byte[] rsa2048) {
  private static final Set<String> FIELDS = Set.of("document", "rsa2048");

  public IidPayload {
    requireNonNull(document, "document");
    rsa2048 = requireNonNull(rsa2048, "rsa2048").clone();
  }

  @Override
  public byte[] rsa2048() {
    return rsa2048.clone();
  }

  @Override
  public String toString() {
    // The pair is a bearer credential for its instance: never print it.
    return "IidPayload[document=" + document.length() + " chars, rsa2048=" + rsa2048.length + " bytes]";
  }

  /** Parses the evidence payload; every failure is malformed evidence. */
  public static IidPayload parse(byte[] payload) throws IidRejection {
    if (payload.length == 0) {
      throw IidRejection.malformed("payload is empty (expected: a JSON object with document and rsa2048)");
    }
    JsonNode root = IidJson.object(payload, "payload");
    for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw IidRejection.malformed(
            "payload has an unexpected field " + IidJson.quote(name) + " (expected only document and rsa2048)");
      }
    }
    String document = text(root, "document");
    String rsa2048 = text(root, "rsa2048");
    return new IidPayload(document, decode(rsa2048));
  }

  private static String text(JsonNode root, String field) throws IidRejection {
    JsonNode node = root.get(field);
    if (node == null) {
      throw IidRejection.malformed("payload has no " + field + " field");
    }
    if (!node.isTextual() || node.textValue().isEmpty()) {
      throw IidRejection.malformed("payload field " + field + " is not a non-empty string");
    }
    return node.textValue();
  }

  /**
   * IMDS serves the signature as base64 wrapped in lines; only line breaks and spaces are removed before a strict
   * decode (a lenient MIME decoder would skip any junk, so two decoders could disagree on the bytes).
   */
  private static byte[] decode(String text) throws IidRejection {
    StringBuilder compact = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c != '\n' && c != '\r' && c != ' ') {
        compact.append(c);
      }
    }
    try {
      byte[] der = Base64.getDecoder().decode(compact.toString());
      if (der.length == 0) {
        throw IidRejection.malformed("rsa2048 is empty");
      }
      return der;
    } catch (IllegalArgumentException e) {
      throw IidRejection.malformed("rsa2048 is not base64");
    }
  }
}
