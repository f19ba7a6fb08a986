package dev.minter.attest.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.jwk.ECKey;
import dev.minter.attest.SpiffeId;
import dev.minter.attest.TestClock;
import dev.minter.attest.bundle.TestHttpsServer.Reply;
import dev.minter.attest.jwt.JwkSource;
import dev.minter.tls.DevCa;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SpiffeBundleEndpointSourceTest {
  private static final String TD = "fed.example";
  private static final String PATH = "/bundle";
  private static final String ENDPOINT_ID = "spiffe://fed.example/spire/server";
  private static final RefreshOptions OPTIONS = new RefreshOptions(Duration.ofSeconds(30), Duration.ofMinutes(5),
      Duration.ofHours(1), Duration.ofSeconds(5), Duration.ofSeconds(2));

  private final TestClock clock = Fixtures.clock();
  private final ECKey k1 = Fixtures.ecKey("k1");
  private final ECKey k2 = Fixtures.ecKey("k2");
  private DevCa webCa;
  private DevCa fedCa;
  private TestHttpsServer web;
  private HttpClient http;

  @BeforeEach
  void setUp() throws Exception {
    webCa = Fixtures.ca("web.test", clock);
    fedCa = Fixtures.ca(TD, clock);
    web = new TestHttpsServer(Fixtures.webServer(webCa, clock));
    http = TestHttpsServer.clientTrusting(webCa);
    web.answer(PATH, Reply.ok(Fixtures.bundle(TD, List.of(fedCa), List.of(k1), 1, null).toJson()));
  }

  @AfterEach
  void tearDown() {
    web.close();
  }

  @Test
  void httpsWeb_firstUse_fetchesAndTrustsTheBundle() {
    SpiffeBundleEndpointSource source = webSource();

    assertThat(source.bundleFor(TD)).hasValue(Set.of(fedCa.certificate()));
    assertThat(source.jwtBundleFor(TD).orElseThrow().find("k1")).isPresent();
    assertThat(source.bundleFor("other.example")).isEmpty();
    assertThat(source.jwtBundleFor("other.example")).isEmpty();
  }

  @Test
  void jwtBundleFor_keyRotated_newKeyAcceptedAndRemovedKeyRejectedWithoutRestart() throws Exception {
    SpiffeBundleEndpointSource source = webSource();
    JwkSource keys = source.jwtBundleFor(TD).orElseThrow();
    assertThat(keys.find("k1")).isPresent();

    web.answer(PATH, Reply.ok(Fixtures.bundle(TD, List.of(fedCa), List.of(k2), 2, null).toJson()));
    clock.advance(OPTIONS.minInterval());

    assertThat(keys.find("k2")).isPresent(); // unknown kid: one early fetch, waited for
    clock.advance(OPTIONS.defaultInterval());
    source.current(); // the scheduled refresh runs in the background
    await().atMost(Duration.ofSeconds(5)).until(() -> keys.find("k1").isEmpty());
    assertThat(keys.find("k2")).isPresent();
  }

  @Test
  void current_refreshHint_followedWithinMinAndMaxBounds() throws Exception {
    web.answer(PATH, Reply.ok(Fixtures.bundle(TD, List.of(fedCa), List.of(k1), 1, Duration.ofMinutes(10)).toJson()));
    SpiffeBundleEndpointSource source = webSource();
    assertThat(source.current()).isPresent();
    assertThat(web.hits(PATH)).isEqualTo(1);

    clock.advance(Duration.ofMinutes(9));
    source.current();
    assertThat(web.hits(PATH)).isEqualTo(1);
    clock.advance(Duration.ofMinutes(1));
    source.current();
    await().atMost(Duration.ofSeconds(5)).until(() -> web.hits(PATH) == 2);

    // A hint below the minimum is raised to it; one above the maximum is cut to it.
    web.answer(PATH, Reply.ok(Fixtures.bundle(TD, List.of(fedCa), List.of(k1), 2, Duration.ofSeconds(1)).toJson()));
    assertThat(source.refreshNow()).isTrue();
    int hits = web.hits(PATH);
    clock.advance(Duration.ofSeconds(29));
    source.current();
    assertThat(web.hits(PATH)).isEqualTo(hits);

    web.answer(PATH, Reply.ok(Fixtures.bundle(TD, List.of(fedCa), List.of(k1), 3, Duration.ofDays(28)).toJson()));
    assertThat(source.refreshNow()).isTrue();
    clock.advance(Duration.ofHours(1));
    source.current();
    await().atMost(Duration.ofSeconds(5)).until(() -> web.hits(PATH) == hits + 2);
  }

  @Test
  void find_thousandForgedKids_atMostOneExtraFetch() {
    SpiffeBundleEndpointSource source = webSource();
    JwkSource keys = source.jwtBundleFor(TD).orElseThrow();
    clock.advance(OPTIONS.minInterval());
    int before = web.hits(PATH);

    for (int i = 0; i < 1000; i++) {
      assertThat(keys.find("forged-" + i)).isEmpty();
    }

    assertThat(web.hits(PATH) - before).isLessThanOrEqualTo(1);
    assertThat(keys.find("k1")).isPresent();
  }

  @Test
  void find_forgedKidsRightAfterAFetch_noExtraFetchAtAll() {
    SpiffeBundleEndpointSource source = webSource();
    JwkSource keys = source.jwtBundleFor(TD).orElseThrow();

    for (int i = 0; i < 1000; i++) {
      keys.find("forged-" + i);
    }

    assertThat(web.hits(PATH)).isEqualTo(1);
  }

  @Test
  void current_endpointFailsOrServesBadBundles_keepsLastGood() throws Exception {
    SpiffeBundleEndpointSource source = webSource();
    assertThat(source.refreshNow()).isTrue();
    List<Reply> failures = List.of(Reply.status(500), Reply.status(404), Reply.ok("not json"), Reply.ok("{\"keys\":[]}"),
        Reply.ok("{\"keys\":[{\"kty\":\"oct\",\"use\":\"jwt-svid\",\"kid\":\"s\",\"k\":\"c2VjcmV0\"}]}"),
        Reply.ok(Fixtures.bundle(TD, List.of(fedCa), List.of(k1), 9, null).toJson().replace("\"crv\"", "\"d\":\"AA\",\"crv\"")));
    for (Reply failure : failures) {
      web.answer(PATH, failure);
      assertThat(source.refreshNow()).as(failure.toString()).isFalse();
      assertThat(source.bundleFor(TD)).hasValue(Set.of(fedCa.certificate()));
      assertThat(source.jwtBundleFor(TD).orElseThrow().find("k1")).isPresent();
    }
  }

  @Test
  void find_slowEndpoint_neverBlocksBeyondWaitOnMiss() throws Exception {
    RefreshOptions quick = new RefreshOptions(Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofHours(1),
        Duration.ofSeconds(10), Duration.ofMillis(200));
    SpiffeBundleEndpointSource source = SpiffeBundleEndpointSource.httpsWeb(TD, web.uri(PATH), http, clock, quick);
    assertThat(source.refreshNow()).isTrue();
    web.answer(PATH, Reply.ok(Fixtures.bundle(TD, List.of(fedCa), List.of(k2), 2, null).toJson()).delayed(3000));
    clock.advance(quick.minInterval());

    long start = System.nanoTime();
    assertThat(source.jwtBundleFor(TD).orElseThrow().find("k2")).isEmpty();
    assertThat(source.bundleFor(TD)).isPresent();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1500));

    await().atMost(Duration.ofSeconds(10)).until(() -> source.jwtBundleFor(TD).orElseThrow().find("k2").isPresent());
  }

  @Test
  void httpsWeb_serverNotTrustedByTheClient_nothingTrusted() throws Exception {
    HttpClient trustsOtherCa = TestHttpsServer.clientTrusting(Fixtures.ca("web.test", clock));
    SpiffeBundleEndpointSource source =
        SpiffeBundleEndpointSource.httpsWeb(TD, web.uri(PATH), trustsOtherCa, clock, OPTIONS);

    assertThat(source.refreshNow()).isFalse();
    assertThat(source.bundleFor(TD)).isEmpty();
    assertThat(source.jwtBundleFor(TD).orElseThrow().find("k1")).isEmpty();
  }

  @Test
  void httpsWeb_plainHttpOrBadTrustDomain_refusedAtConstruction() {
    assertThatThrownBy(() -> SpiffeBundleEndpointSource.httpsWeb(TD, URI.create("http://127.0.0.1/b"), http, clock,
        OPTIONS)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("https");
    assertThatThrownBy(() -> SpiffeBundleEndpointSource.httpsWeb("Bad!", web.uri(PATH), http, clock, OPTIONS))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // --- https_spiffe ---

  @Test
  void httpsSpiffe_rotation_fetchedBundleAuthenticatesTheNextFetch() throws Exception {
    DevCa rotatedCa = Fixtures.ca(TD, clock);
    try (TestHttpsServer spiffe = new TestHttpsServer(Fixtures.svidServer(fedCa, ENDPOINT_ID, clock))) {
      SpiffeBundle bootstrap = Fixtures.bundle(TD, List.of(fedCa), List.of(), 1, null);
      SpiffeBundleEndpointSource source = spiffeSource(spiffe, ENDPOINT_ID, bootstrap);
      assertThat(source.bundleFor(TD)).hasValue(Set.of(fedCa.certificate())); // bootstrap trusted from the start

      // The remote domain adds a new CA, then moves its endpoint to an SVID from it and drops the old CA.
      spiffe.answer(PATH, Reply.ok(Fixtures.bundle(TD, List.of(fedCa, rotatedCa), List.of(k1), 2, null).toJson()));
      assertThat(source.refreshNow()).isTrue();
      spiffe.useCertificate(Fixtures.svidServer(rotatedCa, ENDPOINT_ID, clock));
      spiffe.answer(PATH, Reply.ok(Fixtures.bundle(TD, List.of(rotatedCa), List.of(k2), 3, null).toJson()));
      assertThat(source.refreshNow()).isTrue();

      assertThat(source.bundleFor(TD)).hasValue(Set.of(rotatedCa.certificate()));
      assertThat(source.jwtBundleFor(TD).orElseThrow().find("k2")).isPresent();
      assertThat(source.jwtBundleFor(TD).orElseThrow().find("k1")).isEmpty();
    }
  }

  @Test
  void httpsSpiffe_wrongEndpointId_refusedAndBootstrapKept() throws Exception {
    try (TestHttpsServer spiffe = new TestHttpsServer(
        Fixtures.svidServer(fedCa, "spiffe://fed.example/impostor", clock))) {
      spiffe.answer(PATH, Reply.ok(Fixtures.bundle(TD, List.of(Fixtures.ca(TD, clock)), List.of(k1), 2, null).toJson()));
      SpiffeBundleEndpointSource source =
          spiffeSource(spiffe, ENDPOINT_ID, Fixtures.bundle(TD, List.of(fedCa), List.of(), 1, null));

      assertThat(source.refreshNow()).isFalse();
      assertThat(spiffe.hits(PATH)).isZero();
      assertThat(source.bundleFor(TD)).hasValue(Set.of(fedCa.certificate()));
    }
  }

  @Test
  void httpsSpiffe_certificateFromUntrustedCa_refused() throws Exception {
    DevCa attackerCa = Fixtures.ca(TD, clock);
    try (TestHttpsServer spiffe = new TestHttpsServer(Fixtures.svidServer(attackerCa, ENDPOINT_ID, clock))) {
      spiffe.answer(PATH, Reply.ok(Fixtures.bundle(TD, List.of(attackerCa), List.of(k1), 2, null).toJson()));
      SpiffeBundleEndpointSource source =
          spiffeSource(spiffe, ENDPOINT_ID, Fixtures.bundle(TD, List.of(fedCa), List.of(), 1, null));

      assertThat(source.refreshNow()).isFalse();
      assertThat(spiffe.hits(PATH)).isZero();
      assertThat(source.bundleFor(TD)).hasValue(Set.of(fedCa.certificate()));
      assertThat(source.jwtBundleFor(TD).orElseThrow().find("k1")).isEmpty();
    }
  }

  @Test
  void httpsSpiffe_webPkiCertificateWithoutSvid_refused() throws Exception {
    try (TestHttpsServer spiffe = new TestHttpsServer(Fixtures.webServer(fedCa, clock))) {
      spiffe.answer(PATH, Reply.ok(Fixtures.bundle(TD, List.of(fedCa), List.of(k1), 2, null).toJson()));
      SpiffeBundleEndpointSource source =
          spiffeSource(spiffe, ENDPOINT_ID, Fixtures.bundle(TD, List.of(fedCa), List.of(), 1, null));

      assertThat(source.refreshNow()).isFalse();
      assertThat(spiffe.hits(PATH)).isZero();
    }
  }

  @Test
  void httpsSpiffe_fetchedBundleWithoutX509Authority_refusedSoTheNextFetchCanStillBeAuthenticated()
      throws Exception {
    try (TestHttpsServer spiffe = new TestHttpsServer(Fixtures.svidServer(fedCa, ENDPOINT_ID, clock))) {
      spiffe.answer(PATH, Reply.ok(Fixtures.bundle(TD, List.of(), List.of(k1), 2, null).toJson()));
      SpiffeBundleEndpointSource source =
          spiffeSource(spiffe, ENDPOINT_ID, Fixtures.bundle(TD, List.of(fedCa), List.of(), 1, null));

      assertThat(source.refreshNow()).isFalse();
      assertThat(source.bundleFor(TD)).hasValue(Set.of(fedCa.certificate()));
    }
  }

  @Test
  void httpsSpiffe_bootstrapForAnotherDomainOrWithoutX509_refusedAtConstruction() {
    URI url = web.uri(PATH);
    SpiffeId id = SpiffeId.parse(ENDPOINT_ID);
    assertThatThrownBy(() -> SpiffeBundleEndpointSource.httpsSpiffe(url, id,
        Fixtures.bundle("other.example", List.of(Fixtures.ca("other.example", clock)), List.of(), 1, null), clock,
        OPTIONS)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("other.example");
    assertThatThrownBy(() -> SpiffeBundleEndpointSource.httpsSpiffe(url, id,
        Fixtures.bundle(TD, List.of(), List.of(k1), 1, null), clock, OPTIONS))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no X.509 authority");
  }

  private SpiffeBundleEndpointSource webSource() {
    return SpiffeBundleEndpointSource.httpsWeb(TD, web.uri(PATH), http, clock, OPTIONS);
  }

  private SpiffeBundleEndpointSource spiffeSource(TestHttpsServer server, String endpointId, SpiffeBundle bootstrap) {
    return SpiffeBundleEndpointSource.httpsSpiffe(server.uri(PATH), SpiffeId.parse(endpointId), bootstrap, clock,
        OPTIONS);
  }
}
