package dev.minter.attest.oidc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.minter.attest.jwt.JwtVerifier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/** Small, bounded operations on a compact JWS before and after {@code JwtVerifier} has checked it. */
public final class Tokens {
  private static final ObjectMapper JSON =
      new ObjectMapper(
          JsonFactory.builder()
              .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION) // a second 'iss' must not pick the issuer
              .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).build())
              .build());

  private Tokens() {}

  /**
   * The unverified {@code iss} of {@code token}, used only to pick which issuer's keys and rules verify it (the
   * verifier then checks {@code iss} again against that one issuer). Empty when the token is not a readable JWS
   * or has no string {@code iss}.
   */
  public static Optional<String> peekIssuer(String token) {
    if (token.length() > JwtVerifier.MAX_TOKEN_LENGTH) {
      return Optional.empty();
    }
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      return Optional.empty();
    }
    try {
      JsonNode payload = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
      JsonNode iss = payload == null ? null : payload.get("iss");
      return iss != null && iss.isTextual() ? Optional.of(iss.asText()) : Optional.empty();
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** The token text of an evidence payload: ASCII, surrounding whitespace (a trailing newline from a file) removed. */
  public static String fromPayload(byte[] payload) {
    return new String(payload, StandardCharsets.US_ASCII).strip();
  }
}
