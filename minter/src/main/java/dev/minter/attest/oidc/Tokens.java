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

  /**
   * The one-time-use key of a verified token: SHA-256 of its signing input ({@code header.payload}), not of the
   * whole token. The signature part is malleable without the signing key — base64url's unused trailing bits decode
   * to the same bytes, and an ECDSA signature (r, s) is equally valid as (r, n - s) — so a hash over the whole token
   * would let a captured token be replayed under a new key. The signed content is what the issuer asserted once.
   */
  public static String replayKey(String token) {
    int lastDot = token.lastIndexOf('.');
    String signingInput = lastDot < 0 ? token : token.substring(0, lastDot);
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(signingInput.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The token text of an evidence payload: ASCII, surrounding whitespace (a trailing newline from a file) removed. */
  public static String fromPayload(byte[] payload) {
    return new String(payload, StandardCharsets.US_ASCII).strip();
  }
}
