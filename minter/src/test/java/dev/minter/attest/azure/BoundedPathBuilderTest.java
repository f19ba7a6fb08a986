package dev.minter.attest.azure;

import static dev.minter.attest.azure.AzureTestPki.cert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minter.attest.azure.AzureTestPki.Chain;
import dev.minter.attest.azure.AzureTestPki.Issued;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The path search finds Azure-shaped paths and, whatever candidates it is given, stops within its budget. */
class BoundedPathBuilderTest {
  private static final Instant NOW = Instant.parse("2026-11-30T05:00:00Z");
  private static final Chain AZ = Chain.create(NOW.minus(Duration.ofDays(30)), NOW.plus(Duration.ofDays(300)));
  private static final String INTERMEDIATE_NAME = AzureTestPki.subjectOf(AZ.intermediate());

  private final BoundedPathBuilder builder =
      new BoundedPathBuilder(Set.of(AZ.root().certificate()), List.of(), 3, 24);

  @Test
  void build_azureShapedChain_returnsSignerThenIntermediate() throws Refusal {
    List<X509Certificate> path =
        builder.build(AZ.signer().certificate(), List.of(AZ.intermediate().certificate()), NOW);

    assertThat(path).containsExactly(AZ.signer().certificate(), AZ.intermediate().certificate());
  }

  @Test
  void build_genuineIntermediateAfterAFewDecoys_found() throws Refusal {
    List<X509Certificate> candidates = new ArrayList<>(decoys(INTERMEDIATE_NAME, 5));
    candidates.add(AZ.intermediate().certificate());

    assertThat(builder.build(AZ.signer().certificate(), candidates, NOW)).hasSize(2);
  }

  @Test
  void build_manySameNameDecoys_givesUpWithinBudgetQuickly() {
    BoundedPathBuilder withConfiguredDecoys =
        new BoundedPathBuilder(Set.of(AZ.root().certificate()), decoys(INTERMEDIATE_NAME, 60), 3, 24);
    long start = System.nanoTime();

    assertThatThrownBy(() -> withConfiguredDecoys.build(AZ.signer().certificate(), List.of(), NOW))
        .isInstanceOf(Refusal.class)
        .hasMessageContaining("gave up after 24 signature checks");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));
  }

  @Test
  void build_crossSignedLoopOfSameNameCas_terminatesWithoutAPath() {
    // Four CAs named alike, each certified by the next one's key: every order of them is a "path" to explore,
    // and none reaches a root. A naive builder walks all of them (bc-java#2291); this one is bounded.
    List<KeyPair> keys = IntStream.range(0, 4).mapToObj(i -> AzureTestPki.ec()).toList();
    List<Issued> loop = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Issued issuer = cert("CN=Loop CA", keys.get((i + 1) % 4)).ca(-1).build();
      loop.add(cert("CN=Loop CA", keys.get(i)).ca(-1).issuer(issuer).build());
    }
    Issued signer = cert("CN=metadata.azure.com", AzureTestPki.ec()).issuer(loop.get(0)).build();
    long start = System.nanoTime();

    assertThatThrownBy(() -> builder.build(signer.certificate(),
        loop.stream().map(Issued::certificate).toList(), NOW))
        .isInstanceOf(Refusal.class)
        .hasMessageMatching(".*(does not chain|gave up).*");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));
  }

  @Test
  void build_signerIsARoot_refused() {
    assertThatThrownBy(() -> builder.build(AZ.root().certificate(), List.of(), NOW))
        .isInstanceOf(Refusal.class)
        .hasMessageContaining("is itself a configured root");
  }

  @Test
  void constructor_noRoots_throws() {
    assertThatThrownBy(() -> new BoundedPathBuilder(Set.of(), List.of(), 3, 24))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("roots: empty");
  }

  /** CA certificates carrying {@code name} but unrelated EC keys: each costs the search one failed check. */
  private static List<X509Certificate> decoys(String name, int count) {
    KeyPair key = AzureTestPki.ec();
    return IntStream.range(0, count)
        .mapToObj(i -> cert(name, AzureTestPki.ec()).ca(0).issuer(new Issued(
            cert("CN=decoy issuer " + i, key).ca(-1).build().certificate(), key)).build().certificate())
        .toList();
  }
}
