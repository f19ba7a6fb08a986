package dev.minter.delegation;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.minter.attest.jwt.FixedJwkSource;
import dev.minter.attest.jwt.JwtResult;
import dev.minter.attest.jwt.JwtRules;
import dev.minter.attest.jwt.JwtVerifier;
import dev.minter.vault.Secret;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Signs and verifies delegation grants: compact JWS, ES256, signed with Minter's own key ({@link GrantKeyFile}).
 *
 * <p>Verification goes through the same strict {@link JwtVerifier} as every attestation JWT (asymmetric algorithms
 * only, no keys carried by the token, strict JSON, {@code exp} required), with Minter's public key as the only trusted
 * key, {@code iss} and {@code aud} pinned, no clock skew (Minter is both signer and verifier, on one clock), and a
 * lifetime cap of the grant window. On top of that the algorithm must be exactly ES256 and the type
 * {@value #TYPE}, so no other token Minter signs or trusts can pass as a grant.
 *
 * <p>A valid signature proves only that Minter issued the grant. Who may redeem it ({@code sub}), whether it was used
 * already and whether its parent is still open are the redeeming code's business (the ledger row is the authority).
 */
public final class GrantTokens {
  public static final String ISSUER = "minter";
  public static final String AUDIENCE = "minter:delegation-grant";
  public static final String TYPE = "minter-grant+jwt";

  private final ECKey signingKey;
  private final Duration window;
  private final FixedJwkSource publicKey;
  private final JwtVerifier verifier;
  private final JwtRules rules;

  /**
   * @param signingKey Minter's private EC P-256 key with a {@code kid}
   * @param window the longest a grant may live: refuses to sign or accept anything longer
   */
  public GrantTokens(ECKey signingKey, Duration window, Clock clock) {
    this.signingKey = requireNonNull(signingKey, "signingKey");
    if (!signingKey.isPrivate() || signingKey.getKeyID() == null) {
      throw new IllegalArgumentException("signingKey: expected a private EC key with a kid");
    }
    this.publicKey = new FixedJwkSource(new JWKSet(signingKey.toPublicJWK()));
    this.verifier = new JwtVerifier(requireNonNull(clock, "clock"), Duration.ZERO);
    if (requireNonNull(window, "window").toSeconds() < 1) {
      throw new IllegalArgumentException("grant window: " + window + " (expected: >= PT1S)");
    }
    this.window = window;
    this.rules = new JwtRules(Set.of(ISSUER), AUDIENCE, Optional.of(window), true);
  }

  /** The longest a grant may live (its redemption window). */
  public Duration window() {
    return window;
  }

  /** The compact JWS for {@code claims}. A secret: whoever holds it (and is its {@code sub}) can open a child task. */
  public Secret sign(GrantClaims claims) {
    JWTClaimsSet set =
        new JWTClaimsSet.Builder()
            .issuer(ISSUER)
            .audience(AUDIENCE)
            .subject(claims.subAgent())
            .jwtID(claims.grantId())
            .issueTime(Date.from(claims.issuedAt()))
            .expirationTime(Date.from(claims.expiresAt()))
            .claim("parent_task", claims.parentTaskId())
            .claim("roles", claims.roles())
            .claim("purposes", claims.purposes())
            .claim("max_ttl", claims.maxTtl().toSeconds())
            .build();
    JWSHeader header =
        new JWSHeader.Builder(JWSAlgorithm.ES256).type(new JOSEObjectType(TYPE)).keyID(signingKey.getKeyID()).build();
    SignedJWT jwt = new SignedJWT(header, set);
    try {
      jwt.sign(new ECDSASigner(signingKey));
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign a delegation grant", e);
    }
    return Secret.of(jwt.serialize());
  }

  /** Checks {@code grant}'s signature, type, issuer, audience and times. Never throws for a bad grant. */
  public Result verify(Secret grant) {
    JwtResult result = verifier.verify(requireNonNull(grant, "grant").reveal(), rules, publicKey);
    return switch (result) {
      case JwtResult.Invalid invalid -> new Result.Invalid(invalid.reason());
      case JwtResult.Valid valid -> claims(valid);
    };
  }

  private static Result claims(JwtResult.Valid valid) {
    // Explicit although the only trusted key is P-256: the algorithm a grant is signed with is not negotiable.
    if (!JWSAlgorithm.ES256.equals(valid.header().getAlgorithm())) {
      return new Result.Invalid("algorithm " + valid.header().getAlgorithm() + " (expected: ES256)");
    }
    if (valid.header().getType() == null || !TYPE.equals(valid.header().getType().getType())) {
      return new Result.Invalid("token type is not " + TYPE);
    }
    JWTClaimsSet c = valid.claims();
    try {
      String sub = c.getSubject();
      String jti = c.getJWTID();
      String parent = c.getStringClaim("parent_task");
      List<String> roles = c.getStringListClaim("roles");
      List<String> purposes = c.getStringListClaim("purposes");
      Long maxTtl = c.getLongClaim("max_ttl");
      if (sub == null || jti == null || parent == null || roles == null || purposes == null || maxTtl == null) {
        return new Result.Invalid("missing grant claims (expected: sub, jti, parent_task, roles, purposes, max_ttl)");
      }
      Instant iat = c.getIssueTime().toInstant();
      Instant exp = c.getExpirationTime().toInstant();
      return new Result.Valid(
          new GrantClaims(jti, parent, sub, roles, purposes, Duration.ofSeconds(maxTtl), iat, exp));
    } catch (ParseException | IllegalArgumentException e) {
      return new Result.Invalid("malformed grant claims");
    }
  }

  /** The outcome of {@link #verify}. */
  public sealed interface Result {
    /** A grant Minter signed, within its lifetime. */
    record Valid(GrantClaims claims) implements Result {
      public Valid {
        requireNonNull(claims, "claims");
      }
    }

    /** A grant that does not hold, and why (never echoing the grant). */
    record Invalid(String reason) implements Result {
      public Invalid {
        requireNonNull(reason, "reason");
      }
    }
  }

  @Override
  public String toString() {
    return "GrantTokens[ES256, kid " + signingKey.getKeyID() + ", key redacted]";
  }
}
