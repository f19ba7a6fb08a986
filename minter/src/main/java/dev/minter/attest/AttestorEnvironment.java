package dev.minter.attest;

import static java.util.Objects.requireNonNull;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * What every attestor may be built with: time, the shared replay defence and nonces, an HTTP client for trust
 * sources (JWKS, bundle endpoints, STS), and where Minter's own identities live. Attestors get I/O only through
 * these, so tests swap them.
 *
 * @param clock the clock every validity check uses
 * @param skew how far clocks may disagree (applied to exp/nbf/iat and freshness windows; small by default)
 * @param replay the one replay guard
 * @param nonces single-use challenges issued by the IssueNonce call
 * @param http the shared HTTP client for fetching trust material
 * @param identityDomain the trust domain normalized identities of non-SPIFFE kinds are placed under
 * @param x509Bundles X.509 authorities per SPIFFE trust domain
 * @param baseDir the folder relative paths in attestor configuration resolve against
 * @param jwtBundles JWT-SVID authorities per SPIFFE trust domain (from {@code trust_bundles})
 * @param pins trust-on-first-use pins (the ledger, so a restart does not reopen the window)
 */
public record AttestorEnvironment(
    Clock clock,
    Duration skew,
    ReplayGuard replay,
    NonceStore nonces,
    HttpClient http,
    String identityDomain,
    X509BundleSource x509Bundles,
    Path baseDir,
    JwtBundleSource jwtBundles,
    TofuPins pins) {
  public AttestorEnvironment {
    requireNonNull(clock, "clock");
    requireNonNull(skew, "skew");
    requireNonNull(replay, "replay");
    requireNonNull(nonces, "nonces");
    requireNonNull(http, "http");
    requireNonNull(identityDomain, "identityDomain");
    requireNonNull(x509Bundles, "x509Bundles");
    requireNonNull(baseDir, "baseDir");
    requireNonNull(jwtBundles, "jwtBundles");
    requireNonNull(pins, "pins");
  }

  /** An environment with no JWT bundles and in-memory TOFU pins (tests, offline checks). */
  public AttestorEnvironment(
      Clock clock,
      Duration skew,
      ReplayGuard replay,
      NonceStore nonces,
      HttpClient http,
      String identityDomain,
      X509BundleSource x509Bundles,
      Path baseDir) {
    this(clock, skew, replay, nonces, http, identityDomain, x509Bundles, baseDir, td -> java.util.Optional.empty(),
        new InMemoryTofuPins());
  }
}
