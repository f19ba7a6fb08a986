package dev.minter.attest.jwt;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * Reads one claim of a token <em>before</em> it is verified, for the single purpose of choosing which keys may verify
 * it (a JWT-SVID's trust domain is in its {@code sub}). The value is a hint, never an identity: the caller must
 * verify the token with the keys it chose and then check the verified claim equals the hint. Parsing is as strict and
 * as bounded as {@link JwtVerifier}'s.
 */
public final class UnverifiedClaims {
  private UnverifiedClaims() {}

  /** The string claim {@code name} of {@code token}, or empty when the token or the claim is not usable. */
  public static Optional<String> string(String token, String name) {
    if (token == null || token.length() > JwtVerifier.MAX_TOKEN_LENGTH) {
      return Optional.empty();
    }
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      return Optional.empty();
    }
    try {
      JsonNode value = JwtVerifier.strictJson(parts[1], "payload").get(name);
      return value != null && value.isTextual() ? Optional.of(value.textValue()) : Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
