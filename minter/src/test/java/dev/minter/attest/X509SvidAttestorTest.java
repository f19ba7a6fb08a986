package dev.minter.attest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.minter.attest.AttestationResult.Rejected;
import dev.minter.attest.AttestationResult.Verified;
import dev.minter.tls.CertifiedKey;
import dev.minter.tls.DevCa;
import dev.minter.tls.LeafSpec;
import dev.minter.tls.LeafSpec.ExtendedKeyUse;
import dev.minter.tls.LeafSpec.KeyUse;
import java.io.ByteArrayInputStream;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class X509SvidAttestorTest {
  private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final Instant NB = NOW.minus(Duration.ofHours(1));
  private static final Instant NA = NOW.plus(Duration.ofHours(1));
  private static final String TD = "minter.local";
  private static final String AGENT = "spiffe://minter.local/agents/research-bot";

  private static final DevCa CA = DevCa.create(TD, Duration.ofDays(30), CLOCK);
  private static final DevCa PARTNER = DevCa.create("partner.example", Duration.ofDays(30), CLOCK);
  /** Same trust domain name, same subject DN as CA, but not in any bundle. */
  private static final DevCa ROGUE = DevCa.create(TD, Duration.ofDays(30), CLOCK);

  private final X509SvidAttestor attestor = new X509SvidAttestor(
      td -> Optional.ofNullable(Map.of(
          TD, Set.of(CA.certificate()),
          "partner.example", Set.of(PARTNER.certificate())).get(td)),
      CLOCK);

  static Stream<Arguments> invalidEvidence() {
    return Stream.of(
        row("untrusted CA", () -> chain(ROGUE.issue(svid(AGENT))),
            "does not verify to a root of trust domain 'minter.local': no presented certificate was issued"),
        row("expired leaf", () -> chain(CA.issue(LeafSpec.clientSvid(AGENT, NOW.minus(days(10)), NOW.minus(days(1))))),
            "leaf certificate expired at 2026-11-30T10:00:00Z"),
        row("not yet valid leaf", () -> chain(CA.issue(LeafSpec.clientSvid(AGENT, NOW.plus(days(1)), NOW.plus(days(2))))),
            "leaf certificate is not valid before 2026-12-02T10:00:00Z"),
        row("no URI SAN", () -> chain(CA.issue(LeafSpec.builder(NB, NA).dns("agent.local").build())), "no URI SAN"),
        row("two URI SANs", () -> chain(CA.issue(LeafSpec.builder(NB, NA).uri(AGENT, "spiffe://minter.local/x").build())),
            "has 2 URI SANs"),
        row("non-spiffe URI", () -> leaf("https://minter.local/agents/research-bot"), "scheme must be 'spiffe'"),
        row("CA certificate as leaf", () -> chain(CA.issue(LeafSpec.builder(NB, NA).uri(AGENT).ca(true).build())),
            "leaf certificate is a CA certificate"),
        row("leaf with keyCertSign", () -> chain(CA.issue(LeafSpec.builder(NB, NA).uri(AGENT)
            .keyUsages(KeyUse.DIGITAL_SIGNATURE, KeyUse.KEY_CERT_SIGN).build())), "includes keyCertSign"),
        row("leaf with cRLSign", () -> chain(CA.issue(LeafSpec.builder(NB, NA).uri(AGENT)
            .keyUsages(KeyUse.DIGITAL_SIGNATURE, KeyUse.CRL_SIGN).build())), "includes cRLSign"),
        row("leaf without digitalSignature", () -> chain(CA.issue(LeafSpec.builder(NB, NA).uri(AGENT)
            .keyUsages(KeyUse.KEY_AGREEMENT).build())), "lacks digitalSignature"),
        row("leaf without keyUsage", () -> chain(CA.issue(LeafSpec.builder(NB, NA).uri(AGENT).keyUsages().build())),
            "no keyUsage extension"),
        row("leaf for servers only", () -> chain(CA.issue(LeafSpec.builder(NB, NA).uri(AGENT)
            .extendedKeyUsages(ExtendedKeyUse.SERVER_AUTH).build())), "does not include clientAuth"),
        row("untrusted trust domain", () -> leaf("spiffe://other.example/agents/research-bot"),
            "trust domain 'other.example' is not trusted"),
        row("trusted domain A signed by trusted domain B's CA", () -> chain(PARTNER.issue(svid(AGENT))),
            "does not verify to a root of trust domain 'minter.local'"),
        row("missing client certificate", List::of, "no client certificate"),
        row("SPIFFE ID with port", () -> leaf("spiffe://minter.local:8443/agents/x"), "must not have a port"),
        row("SPIFFE ID with query", () -> leaf("spiffe://minter.local/agents/x?debug=1"), "must not have a query"),
        row("SPIFFE ID with fragment", () -> leaf("spiffe://minter.local/agents/x#frag"), "must not have a fragment"),
        row("SPIFFE ID with userinfo", () -> leaf("spiffe://admin@minter.local/agents/x"), "must not have userinfo"),
        row("uppercase trust domain", () -> leaf("spiffe://Minter.local/agents/x"), "trust domain characters"),
        row("invalid trust domain char", () -> leaf("spiffe://minter$local/agents/x"), "trust domain characters"),
        row("empty path segment", () -> leaf("spiffe://minter.local/agents//x"), "must not be empty"),
        row("dot-dot path segment", () -> leaf("spiffe://minter.local/agents/../admin"), "must not be '.' or '..'"),
        row("dot path segment", () -> leaf("spiffe://minter.local/./agents/x"), "must not be '.' or '..'"),
        row("trailing slash", () -> leaf("spiffe://minter.local/agents/x/"), "must not end with '/'"),
        row("percent-encoded path", () -> leaf("spiffe://minter.local/agents%2Fx"), "path characters are limited"),
        row("trust domain ID as leaf", () -> leaf("spiffe://minter.local"), "names a trust domain, not a workload"),
        row("expired intermediate", () -> {
          CertifiedKey inter = CA.issueIntermediate("inter", NOW.minus(days(10)), NOW.minus(days(1)));
          return chain(CA.issue(LeafSpec.builder(NB, NA).uri(AGENT).signedBy(inter).build()), inter);
        }, "intermediate certificate #1 ('CN=inter') expired at 2026-11-30T10:00:00Z"),
        row("leaf signed by a non-CA leaf", () -> {
          CertifiedKey notCa = CA.issue(svid("spiffe://minter.local/other"));
          return chain(CA.issue(LeafSpec.builder(NB, NA).uri(AGENT).signedBy(notCa).build()), notCa);
        }, "keyCertSign bit is not set' on certificate #1"),
        row("tampered signature", () -> List.of(flipLastByte(CA.issue(svid(AGENT)).certificate())),
            "signature check failed"),
        row("self-signed leaf", () -> chain(CA.issue(LeafSpec.builder(NB, NA).uri(AGENT).selfSigned().build())),
            "does not verify to a root of trust domain 'minter.local'"),
        row("chain too long", () -> nestedChain(5), "has 6 certificates (expected: at most 5)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidEvidence")
  void attest_invalidEvidence_rejectedWithReason(Supplier<List<X509Certificate>> chain, String fragment) {
    AttestationResult result = attestor.attest(Evidence.tlsClientChain(chain.get()));

    assertThat(result).isInstanceOfSatisfying(Rejected.class, r -> {
      assertThat(r.kind()).isEqualTo(X509SvidAttestor.KIND);
      assertThat(r.reason()).contains(fragment).doesNotContain("BEGIN").hasSizeLessThan(300);
    });
  }

  @Test
  void attest_otherEvidenceKind_rejected() {
    Evidence jwt = new Evidence("jwt_svid", new byte[] {1}, chain(CA.issue(svid(AGENT))));

    assertThat(attestor.attest(jwt)).isInstanceOfSatisfying(Rejected.class,
        r -> assertThat(r.reason()).contains("'jwt_svid' is not x509_svid"));
  }

  @Test
  void attest_leafFromRoot_verifiedWithIdAndClaims() {
    CertifiedKey leaf = CA.issue(svid(AGENT));

    AttestationResult result = attestor.attest(Evidence.tlsClientChain(chain(leaf)));

    assertThat(result).isInstanceOfSatisfying(Verified.class, v -> {
      WorkloadIdentity id = v.identity();
      assertThat(id.id()).isEqualTo(AGENT);
      assertThat(id.attestorKind()).isEqualTo("x509_svid");
      assertThat(id.trustDomain()).isEqualTo(TD);
      assertThat(id.claims()).containsExactlyInAnyOrderEntriesOf(Map.of(
          "spiffe.trust_domain", TD,
          "x509.serial", leaf.certificate().getSerialNumber().toString(16),
          "x509.not_after", "2026-12-01T11:00:00Z",
          "x509.issuer", "CN=minter.local Minter dev CA"));
    });
  }

  @Test
  void attest_leafViaIntermediate_verified() {
    CertifiedKey inter = CA.issueIntermediate("inter", NB, NA);
    CertifiedKey leaf = CA.issue(LeafSpec.builder(NB, NA).uri(AGENT).signedBy(inter).build());

    assertThat(attestor.attest(Evidence.tlsClientChain(chain(leaf, inter))))
        .isInstanceOfSatisfying(Verified.class, v -> assertThat(v.identity().claims())
            .containsEntry("x509.issuer", "CN=inter"));
  }

  @Test
  void attest_chainEndingInTheRoot_verified() {
    CertifiedKey inter = CA.issueIntermediate("inter", NB, NA);
    CertifiedKey leaf = CA.issue(LeafSpec.builder(NB, NA).uri(AGENT).signedBy(inter).build());
    List<X509Certificate> withRoot = List.of(leaf.certificate(), inter.certificate(), CA.certificate());

    assertThat(attestor.attest(Evidence.tlsClientChain(withRoot))).isInstanceOf(Verified.class);
  }

  @Test
  void attest_longestAllowedChain_verified() {
    assertThat(attestor.attest(Evidence.tlsClientChain(nestedChain(4)))).isInstanceOf(Verified.class);
  }

  @Test
  void attest_intermediateMissingFromChain_rejected() {
    CertifiedKey inter = CA.issueIntermediate("inter", NB, NA);
    CertifiedKey leaf = CA.issue(LeafSpec.builder(NB, NA).uri(AGENT).signedBy(inter).build());

    assertThat(attestor.attest(Evidence.tlsClientChain(chain(leaf)))).isInstanceOf(Rejected.class);
  }

  // ---- helpers ----

  private static Arguments row(String name, Supplier<List<X509Certificate>> chain, String fragment) {
    return arguments(Named.of(name, chain), fragment);
  }

  private static LeafSpec svid(String id) {
    return LeafSpec.clientSvid(id, NB, NA);
  }

  private static List<X509Certificate> leaf(String uri) {
    return chain(CA.issue(svid(uri)));
  }

  private static List<X509Certificate> chain(CertifiedKey... certs) {
    return Stream.of(certs).map(CertifiedKey::certificate).toList();
  }

  /** A valid leaf under {@code depth} nested intermediates: leaf, i_depth, ..., i_1 (signed by CA). */
  private static List<X509Certificate> nestedChain(int depth) {
    List<X509Certificate> out = new ArrayList<>();
    CertifiedKey parent = CA.asIssuer();
    for (int i = 1; i <= depth; i++) {
      parent = CA.issueIntermediate("inter-" + i, NB, NA, parent);
      out.add(0, parent.certificate());
    }
    out.add(0, CA.issue(LeafSpec.builder(NB, NA).uri(AGENT).signedBy(parent).build()).certificate());
    return out;
  }

  private static X509Certificate flipLastByte(X509Certificate cert) {
    try {
      byte[] der = cert.getEncoded();
      der[der.length - 1] ^= 0x01; // last byte of the signature value
      return (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(der));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static Duration days(int n) {
    return Duration.ofDays(n);
  }
}
