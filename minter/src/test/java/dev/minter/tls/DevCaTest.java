package dev.minter.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minter.attest.AttestationResult.Verified;
import dev.minter.attest.Evidence;
import dev.minter.attest.PemBundleSource;
import dev.minter.attest.TestClock;
import dev.minter.attest.X509SvidAttestor;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevCaTest {
  private static final String TD = "minter.local";
  private static final Map<String, String> LEAVES = Map.of("agent", "spiffe://minter.local/agents/research-bot");

  @TempDir Path dir;
  private final TestClock clock = new TestClock(Instant.parse("2026-12-01T10:00:00Z"));

  @Test
  void writeDevSet_emptyDir_writesCaServerAndLeaves() throws IOException {
    DevSet set = DevCa.writeDevSet(dir, TD, LEAVES, clock);

    assertThat(set.caCreated()).isTrue();
    assertThat(set.issued()).containsExactly("server", "agent");
    assertThat(set.kept()).isEmpty();
    for (String f : List.of("ca.pem", "ca.key", "server.pem", "server.key", "agent.pem", "agent.key")) {
      assertThat(dir.resolve(f)).isRegularFile();
    }
  }

  @Test
  void writeDevSet_secondCall_keepsCaAndLeavesByteForByte() throws IOException {
    DevCa.writeDevSet(dir, TD, LEAVES, clock);
    byte[] ca = Files.readAllBytes(dir.resolve("ca.pem"));
    byte[] agent = Files.readAllBytes(dir.resolve("agent.pem"));
    clock.advance(Duration.ofDays(2));

    DevSet second = DevCa.writeDevSet(dir, TD, LEAVES, clock);

    assertThat(second.caCreated()).isFalse();
    assertThat(second.issued()).isEmpty();
    assertThat(second.kept()).containsExactly("server", "agent");
    assertThat(Files.readAllBytes(dir.resolve("ca.pem"))).isEqualTo(ca);
    assertThat(Files.readAllBytes(dir.resolve("agent.pem"))).isEqualTo(agent);
  }

  @Test
  void writeDevSet_keyFiles_areOwnerOnly() throws IOException {
    DevCa.writeDevSet(dir, TD, LEAVES, clock);

    for (String key : List.of("ca.key", "server.key", "agent.key")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(key))))
          .as(key).isEqualTo("rw-------");
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca.pem"))))
        .isEqualTo("rw-r--r--");
  }

  @Test
  void writeDevSet_leafWithinADayOfExpiry_reissuesLeavesKeepsCa() throws IOException {
    DevCa.writeDevSet(dir, TD, LEAVES, clock);
    byte[] ca = Files.readAllBytes(dir.resolve("ca.pem"));
    clock.advance(Duration.ofDays(29).plusHours(12));

    DevSet again = DevCa.writeDevSet(dir, TD, LEAVES, clock);

    assertThat(again.caCreated()).isFalse();
    assertThat(again.issued()).containsExactly("server", "agent");
    assertThat(Files.readAllBytes(dir.resolve("ca.pem"))).isEqualTo(ca);
  }

  @Test
  void writeDevSet_newLeafOrChangedId_issuesOnlyThose() throws IOException {
    DevCa.writeDevSet(dir, TD, LEAVES, clock);

    DevSet again = DevCa.writeDevSet(dir, TD, Map.of(
        "agent", "spiffe://minter.local/agents/renamed", "sub", "spiffe://minter.local/agents/sub"), clock);

    assertThat(again.kept()).containsExactly("server");
    assertThat(again.issued()).containsExactlyInAnyOrder("agent", "sub");
  }

  @Test
  void writeDevSet_output_verifiesWithTheAttestorAndServesLocalhost() throws Exception {
    DevSet set = DevCa.writeDevSet(dir, TD, LEAVES, clock);
    X509SvidAttestor attestor = new X509SvidAttestor(
        new PemBundleSource(Map.of(TD, set.caCertificate()), clock), clock);

    assertThat(attestor.attest(Evidence.tlsClientChain(Pem.readCertificates(set.certificate("agent")))))
        .isInstanceOfSatisfying(Verified.class, v ->
            assertThat(v.identity().id()).isEqualTo("spiffe://minter.local/agents/research-bot"));
    X509Certificate server = Pem.readCertificates(set.certificate("server")).get(0);
    assertThat(server.getSubjectAlternativeNames()).containsExactlyInAnyOrder(
        List.of(6, "spiffe://minter.local/minter"), List.of(2, "localhost"), List.of(7, "127.0.0.1"));
    assertThat(server.getExtendedKeyUsage()).containsExactlyInAnyOrder("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
    assertThat(Certificates.keyMatches(server, Pem.readPrivateKey(set.privateKey("server")))).isTrue();
  }

  @Test
  void writeDevSet_output_loadsIntoGrpcMutualTlsContexts() throws IOException {
    DevSet set = DevCa.writeDevSet(dir, TD, LEAVES, clock);

    // The files must be in the formats grpc-netty takes directly (PEM chain, unencrypted PKCS#8 key).
    assertThat(GrpcSslContexts.forServer(set.certificate("server").toFile(), set.privateKey("server").toFile())
        .trustManager(set.caCertificate().toFile()).clientAuth(ClientAuth.REQUIRE).build()).isNotNull();
    assertThat(GrpcSslContexts.forClient().trustManager(set.caCertificate().toFile())
        .keyManager(set.certificate("agent").toFile(), set.privateKey("agent").toFile()).build()).isNotNull();
  }

  @Test
  void writeDevSet_dirOfAnotherTrustDomain_throws() throws IOException {
    DevCa.writeDevSet(dir, TD, LEAVES, clock);

    assertThatThrownBy(() -> DevCa.writeDevSet(dir, "other.example", Map.of(), clock))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("trust domain 'minter.local', not 'other.example'");
  }

  @Test
  void writeDevSet_unsafeLeafName_throws() {
    assertThatThrownBy(() -> DevCa.writeDevSet(dir, TD, Map.of("../x", "spiffe://minter.local/x"), clock))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DevCa.writeDevSet(dir, TD, Map.of("ca", "spiffe://minter.local/x"), clock))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void writeDevSet_idInAnotherTrustDomain_throws() {
    assertThatThrownBy(() -> DevCa.writeDevSet(dir, TD, Map.of("a", "spiffe://other.example/x"), clock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected: a workload in trust domain 'minter.local'");
  }

  @Test
  void load_writtenCa_roundTripsAndIssues() throws IOException {
    DevCa ca = DevCa.create(TD, Duration.ofDays(10), clock);
    ca.write(dir.resolve("ca.pem"), dir.resolve("ca.key"));

    DevCa loaded = DevCa.load(dir.resolve("ca.pem"), dir.resolve("ca.key"));

    assertThat(loaded.trustDomain()).isEqualTo(TD);
    assertThat(loaded.certificate()).isEqualTo(ca.certificate());
    Instant now = clock.instant();
    X509Certificate leaf = loaded.issue(LeafSpec.clientSvid("spiffe://minter.local/x", now, now.plusSeconds(60)))
        .certificate();
    assertThat(leaf.getIssuerX500Principal()).isEqualTo(ca.certificate().getSubjectX500Principal());
  }

  @Test
  void load_keyOfAnotherCa_throws() throws IOException {
    DevCa.create(TD, Duration.ofDays(10), clock).write(dir.resolve("ca.pem"), dir.resolve("ca.key"));
    DevCa.create(TD, Duration.ofDays(10), clock).write(dir.resolve("b.pem"), dir.resolve("b.key"));

    assertThatThrownBy(() -> DevCa.load(dir.resolve("ca.pem"), dir.resolve("b.key")))
        .isInstanceOf(PemException.class)
        .hasMessageContaining("does not match");
  }

  @Test
  void create_invalidTrustDomain_throws() {
    assertThatThrownBy(() -> DevCa.create("Not Valid", Duration.ofDays(1), clock))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void certifiedKey_toString_redactsKey() {
    CertifiedKey ca = DevCa.create(TD, Duration.ofDays(1), clock).asIssuer();

    assertThat(ca.toString()).contains("[redacted]").doesNotContain(ca.privateKey().toString());
  }
}
