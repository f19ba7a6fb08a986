package dev.minter.attest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minter.attest.AttestationResult.Rejected;
import dev.minter.attest.AttestationResult.Verified;
import dev.minter.tls.DevCa;
import dev.minter.tls.LeafSpec;
import dev.minter.tls.Pem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemBundleSourceTest {
  private static final String AGENT = "spiffe://minter.local/agents/research-bot";
  private static final Duration RECHECK = Duration.ofSeconds(5);

  @TempDir Path dir;
  private final TestClock clock = new TestClock(Instant.parse("2026-12-01T10:00:00Z"));
  private DevCa oldCa;
  private DevCa newCa;
  private Path bundle;
  private PemBundleSource source;
  private X509SvidAttestor attestor;

  @BeforeEach
  void setUp() throws IOException {
    oldCa = DevCa.create("minter.local", Duration.ofDays(30), clock);
    newCa = DevCa.create("minter.local", Duration.ofDays(30), clock);
    bundle = dir.resolve("minter.local.pem");
    Pem.writeCertificates(bundle, List.of(oldCa.certificate()));
    source = new PemBundleSource(Map.of("minter.local", bundle), clock, RECHECK);
    attestor = new X509SvidAttestor(source, clock);
  }

  @Test
  void bundleFor_configuredDomain_returnsAllCertificatesOfTheFile() throws IOException {
    Pem.writeCertificates(bundle, List.of(oldCa.certificate(), newCa.certificate()));
    clock.advance(RECHECK);

    assertThat(source.bundleFor("minter.local")).hasValueSatisfying(
        roots -> assertThat(roots).containsExactlyInAnyOrder(oldCa.certificate(), newCa.certificate()));
  }

  @Test
  void bundleFor_unknownDomain_empty() {
    assertThat(source.bundleFor("other.example")).isEmpty();
  }

  @Test
  void bundleFor_fileReplacedWithNewCa_switchesTrustWithoutNewInstance() throws IOException {
    List<X509Certificate> oldLeaf = leaf(oldCa);
    List<X509Certificate> newLeaf = leaf(newCa);
    assertThat(attestor.attest(Evidence.tlsClientChain(oldLeaf))).isInstanceOf(Verified.class);

    Pem.writeCertificates(bundle, List.of(newCa.certificate()));
    // Within the recheck interval the file is not even stat-ed: the old bundle still answers.
    assertThat(attestor.attest(Evidence.tlsClientChain(oldLeaf))).isInstanceOf(Verified.class);
    clock.advance(RECHECK);

    assertThat(attestor.attest(Evidence.tlsClientChain(oldLeaf))).isInstanceOf(Rejected.class);
    assertThat(attestor.attest(Evidence.tlsClientChain(newLeaf))).isInstanceOf(Verified.class);
  }

  @Test
  void bundleFor_fileBecomesGarbage_keepsLastGoodBundle() throws IOException {
    Files.writeString(bundle, "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n");
    clock.advance(RECHECK);

    assertThat(attestor.attest(Evidence.tlsClientChain(leaf(oldCa)))).isInstanceOf(Verified.class);
  }

  @Test
  void bundleFor_fileEmptiedThenFixed_keepsLastGoodThenReloads() throws IOException {
    Files.writeString(bundle, "");
    clock.advance(RECHECK);
    assertThat(source.bundleFor("minter.local")).hasValue(java.util.Set.of(oldCa.certificate()));

    Pem.writeCertificates(bundle, List.of(newCa.certificate()));
    clock.advance(RECHECK);
    assertThat(source.bundleFor("minter.local")).hasValue(java.util.Set.of(newCa.certificate()));
  }

  @Test
  void bundleFor_fileDeleted_keepsLastGoodBundle() throws IOException {
    Files.delete(bundle);
    clock.advance(RECHECK);

    assertThat(source.bundleFor("minter.local")).hasValue(java.util.Set.of(oldCa.certificate()));
  }

  @Test
  void constructor_missingFile_throws() {
    assertThatThrownBy(() -> new PemBundleSource(Map.of("minter.local", dir.resolve("nope.pem")), clock))
        .isInstanceOf(IOException.class);
  }

  @Test
  void constructor_invalidTrustDomainKey_throws() {
    assertThatThrownBy(() -> new PemBundleSource(Map.of("Minter.Local", bundle), clock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not valid");
  }

  private List<X509Certificate> leaf(DevCa ca) {
    Instant now = clock.instant();
    return List.of(ca.issue(LeafSpec.clientSvid(AGENT, now.minusSeconds(60), now.plus(Duration.ofHours(1))))
        .certificate());
  }
}
