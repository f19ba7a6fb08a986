package dev.minter.attest.bundle;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import dev.minter.attest.TestClock;
import dev.minter.tls.CertifiedKey;
import dev.minter.tls.DevCa;
import dev.minter.tls.LeafSpec;
import dev.minter.tls.LeafSpec.ExtendedKeyUse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/** Keys, CAs and bundles generated at runtime for the trust-source tests. */
final class Fixtures {
  private Fixtures() {}

  /** A clock at the real present (TLS in the JDK checks certificates against real time), moved by hand. */
  static TestClock clock() {
    return new TestClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  }

  static DevCa ca(String trustDomain, TestClock clock) {
    return DevCa.create(trustDomain, Duration.ofDays(30), clock);
  }

  /** An EC P-256 signing key (private half included: tests sign with it). */
  static ECKey ecKey(String kid) {
    try {
      return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static RSAKey rsaKey(String kid, int bits) {
    try {
      return new RSAKeyGenerator(bits, true).keyID(kid).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static SpiffeBundle bundle(String td, List<DevCa> cas, List<? extends JWK> jwtKeys, long seq, Duration hint) {
    Map<String, JWK> jwt = new LinkedHashMap<>();
    jwtKeys.forEach(k -> jwt.put(k.getKeyID(), k.toPublicJWK()));
    return new SpiffeBundle(td, Set.copyOf(cas.stream().map(DevCa::certificate).toList()), jwt,
        OptionalLong.of(seq), Optional.ofNullable(hint));
  }

  /** A TLS server certificate for 127.0.0.1 (Web PKI style). */
  static CertifiedKey webServer(DevCa ca, TestClock clock) {
    Instant now = clock.instant();
    return ca.issue(LeafSpec.builder(now.minus(Duration.ofMinutes(1)), now.plus(Duration.ofDays(30)))
        .ip("127.0.0.1")
        .extendedKeyUsages(ExtendedKeyUse.SERVER_AUTH)
        .build());
  }

  /** An X.509-SVID for a bundle endpoint server, with no DNS or IP name at all. */
  static CertifiedKey svidServer(DevCa ca, String spiffeId, TestClock clock) {
    Instant now = clock.instant();
    return ca.issue(LeafSpec.builder(now.minus(Duration.ofMinutes(1)), now.plus(Duration.ofDays(30)))
        .uri(spiffeId)
        .extendedKeyUsages(ExtendedKeyUse.SERVER_AUTH, ExtendedKeyUse.CLIENT_AUTH)
        .build());
  }
}
