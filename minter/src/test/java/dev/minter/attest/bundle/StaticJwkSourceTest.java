package dev.minter.attest.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.minter.attest.TestClock;
import dev.minter.tls.Pem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StaticJwkSourceTest {
  private static final Duration RECHECK = Duration.ofSeconds(5);

  @TempDir Path dir;
  private final TestClock clock = Fixtures.clock();
  private final ECKey k1 = Fixtures.ecKey("k1");
  private final ECKey k2 = Fixtures.ecKey("k2");

  @Test
  void fromFile_jwks_rotatesWithoutRestartAndKeepsLastGood() throws Exception {
    Path file = dir.resolve("keys.json");
    Files.writeString(file, new JWKSet(List.<JWK>of(k1)).toString());
    StaticJwkSource source = StaticJwkSource.fromFile(file, clock, RECHECK);
    assertThat(source.find("k1")).isPresent();

    Files.writeString(file, new JWKSet(List.<JWK>of(k2)).toString());
    clock.advance(RECHECK);
    assertThat(source.find("k2")).isPresent();
    assertThat(source.find("k1")).isEmpty();

    Files.writeString(file, new JWKSet(List.<JWK>of(k1)).toString(false)); // private keys: refused
    clock.advance(RECHECK);
    assertThat(source.find("k2")).isPresent();
    assertThat(source.find("k1")).isEmpty();
  }

  @Test
  void fromFile_pemPublicKey_foundByThumbprintAndKubernetesKeyId() throws Exception {
    Path file = dir.resolve("sa.pub");
    String pem = "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(k1.toECPublicKey().getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
    Files.writeString(file, pem);

    StaticJwkSource source = StaticJwkSource.fromFile(file, clock);

    String thumbprint = k1.toPublicJWK().computeThumbprint().toString();
    String k8sKid = Base64.getUrlEncoder().withoutPadding().encodeToString(
        MessageDigest.getInstance("SHA-256").digest(k1.toECPublicKey().getEncoded()));
    assertThat(source.find(thumbprint)).isPresent();
    assertThat(source.find(k8sKid)).isPresent();
    assertThat(source.find("k1")).isEmpty();
  }

  @Test
  void fromFile_pemCertificate_usesItsPublicKey() throws Exception {
    var ca = Fixtures.ca("corp.example", clock);
    Path file = dir.resolve("ca.pem");
    Pem.writeCertificates(file, List.of(ca.certificate()));

    StaticJwkSource source = StaticJwkSource.fromFile(file, clock);

    assertThat(source.current().keys()).hasSize(2); // one key, two ids
  }

  @Test
  void fromFile_privateKeyOrNothingUseful_refusedAtStartup() throws Exception {
    Path priv = dir.resolve("key.pem");
    Pem.writePrivateKey(priv, k1.toECPrivateKey());
    Path empty = dir.resolve("empty.pem");
    Files.writeString(empty, "nothing here\n");
    Path oct = dir.resolve("oct.json");
    Files.writeString(oct, "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"h\",\"k\":\"c2VjcmV0\"}]}");

    assertThatThrownBy(() -> StaticJwkSource.fromFile(priv, clock))
        .isInstanceOf(BundleFormatException.class).hasMessageContaining("private key never belongs");
    assertThatThrownBy(() -> StaticJwkSource.fromFile(empty, clock))
        .isInstanceOf(BundleFormatException.class).hasMessageContaining("neither a JWKS nor a PEM public key");
    assertThatThrownBy(() -> StaticJwkSource.fromFile(oct, clock))
        .isInstanceOf(BundleFormatException.class).hasMessageContaining("('k')");
  }
}
