package dev.minter.bench;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.minter.attest.jwt.FixedJwkSource;
import dev.minter.attest.jwt.JwtResult;
import dev.minter.attest.jwt.JwtRules;
import dev.minter.attest.jwt.JwtVerifier;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@link JwtVerifier#verify} of a valid ES256 (P-256) and a valid RS256 (2048-bit) token, as the JWT-SVID, OIDC and
 * Kubernetes attestors call it: strict JSON parse of header and payload, key by {@code kid}, signature, time claims.
 * Keys are generated at setup.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class JwtVerifyBenchmark {
  private static final Instant NOW = Instant.parse("2026-11-30T10:00:00Z");
  private static final String ISSUER = "https://issuer.corp.example";
  private static final String AUDIENCE = "minter";

  private final JwtVerifier verifier = new JwtVerifier(Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofSeconds(30));
  private final JwtRules rules = new JwtRules(Set.of(ISSUER), AUDIENCE, Optional.of(Duration.ofHours(1)), true);
  private FixedJwkSource keys;
  private String es256;
  private String rs256;

  @Setup
  public void setUp() throws JOSEException {
    ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
    RSAKey rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
    keys = new FixedJwkSource(new JWKSet(List.of(ec.toPublicJWK(), rsa.toPublicJWK())));
    es256 = sign(JWSAlgorithm.ES256, "ec-1", new ECDSASigner(ec));
    rs256 = sign(JWSAlgorithm.RS256, "rsa-1", new RSASSASigner(rsa));
    for (String token : List.of(es256, rs256)) {
      if (!(verifier.verify(token, rules, keys) instanceof JwtResult.Valid)) {
        throw new IllegalStateException("benchmark setup: token does not verify: " + verifier.verify(token, rules, keys));
      }
    }
  }

  @Benchmark
  public JwtResult verifyEs256() {
    return verifier.verify(es256, rules, keys);
  }

  @Benchmark
  public JwtResult verifyRs256() {
    return verifier.verify(rs256, rules, keys);
  }

  private static String sign(JWSAlgorithm alg, String kid, JWSSigner signer) throws JOSEException {
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .subject("system:serviceaccount:reports:reporter")
        .audience(AUDIENCE)
        .issueTime(Date.from(NOW.minusSeconds(60)))
        .notBeforeTime(Date.from(NOW.minusSeconds(60)))
        .expirationTime(Date.from(NOW.plusSeconds(540)))
        .jwtID("jti-4711")
        .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).build(), claims);
    jwt.sign(signer);
    return jwt.serialize();
  }
}
