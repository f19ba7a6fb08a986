package dev.minter.attest.jwt;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;

/** The outcome of {@link JwtVerifier#verify}: {@link Valid} or {@link Invalid}. */
public sealed interface JwtResult {

  /**
   * A token whose signature, algorithm, key and time claims all hold.
   *
   * @param tokenHash lowercase hex SHA-256 of the signing input ({@code header.payload}): the key for one-time-use
   *     checks (the signature is left out because it can be re-encoded without the key)
   */
  record Valid(JWSHeader header, JWTClaimsSet claims, String tokenHash) implements JwtResult {
    public Valid {
      requireNonNull(header, "header");
      requireNonNull(claims, "claims");
      requireNonNull(tokenHash, "tokenHash");
    }
  }

  /**
   * A token that does not hold.
   *
   * @param reason why, without echoing the token
   * @param malformed true when it could not even be parsed (garbage, missing required claims)
   */
  record Invalid(String reason, boolean malformed) implements JwtResult {
    public Invalid {
      requireNonNull(reason, "reason");
    }
  }
}
