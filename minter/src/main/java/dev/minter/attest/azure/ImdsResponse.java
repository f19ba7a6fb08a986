package dev.minter.attest.azure;

import dev.minter.attest.Reasons;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Base64;

/**
 * What Azure's Instance Metadata Service answers to {@code GET /metadata/attested/document?nonce=...}, relayed by the
 * agent verbatim: {@code {"encoding":"pkcs7","signature":"<base64 of a DER PKCS#7 SignedData>"}}. Nothing in this
 * envelope is signed; it only carries the PKCS#7, so unknown keys are ignored rather than trusted.
 *
 * @param pkcs7 the decoded DER bytes of the signature
 */
public record ImdsResponse(byte[] pkcs7) {
  static final String PKCS7 = "pkcs7";

  public ImdsResponse {
    pkcs7 = pkcs7.clone();
  }

  @Override
  public byte[] pkcs7() {
    return pkcs7.clone();
  }

  /** Parses the JSON envelope; every problem is {@link Refusal#malformed}. */
  public static ImdsResponse parse(byte[] payload) throws Refusal {
    JsonNode root = StrictJson.readObject(payload, "IMDS response");
    JsonNode encoding = root.get("encoding");
    if (encoding == null) {
      throw Refusal.malformed("IMDS response has no 'encoding' (expected: \"pkcs7\")");
    }
    if (!encoding.isTextual() || !PKCS7.equals(encoding.textValue())) {
      throw Refusal.malformed("IMDS response encoding " + Reasons.quote(encoding.toString())
          + " is not supported (expected: \"pkcs7\")");
    }
    JsonNode signature = root.get("signature");
    if (signature == null || !signature.isTextual() || signature.textValue().isEmpty()) {
      throw Refusal.malformed("IMDS response has no 'signature' string (expected: base64 of a PKCS#7 SignedData)");
    }
    try {
      return new ImdsResponse(Base64.getDecoder().decode(signature.textValue()));
    } catch (IllegalArgumentException e) {
      throw Refusal.malformed("IMDS response signature is not base64");
    }
  }
}
