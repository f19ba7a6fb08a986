package dev.minter.attest;

import static java.util.Objects.requireNonNull;

import dev.minter.attest.AttestationResult.Rejected;
import dev.minter.attest.AttestationResult.Verified;
import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertPathValidatorException.BasicReason;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Verifies a SPIFFE X.509-SVID presented as the TLS client certificate chain (leaf first), per the SPIFFE
 * X509-SVID spec: exactly one URI SAN holding a valid SPIFFE ID, a non-CA leaf that may sign but not issue, and a
 * PKIX path from the leaf through the presented intermediates to a root of <em>the leaf's own</em> trust domain.
 *
 * <p>The TLS handshake has already checked that the peer holds the leaf's private key; it may also have checked
 * the chain against some trust store, but this attestor does not rely on that: every call re-verifies the chain
 * against the bundle of the trust domain the leaf claims, so a CA of trust domain B can never vouch for an
 * identity in trust domain A even when both are trusted for TLS.
 */
public final class X509SvidAttestor implements Attestor {
  public static final String KIND = "x509_svid";
  /** Leaf plus at most four intermediates; bounds path-validation work for whatever a client sends. */
  public static final int MAX_CHAIN_LENGTH = 5;

  private static final String CLIENT_AUTH_EKU = "1.3.6.1.5.5.7.3.2";
  private static final String ANY_EKU = "2.5.29.37.0";
  private static final String SUBJECT_ALT_NAME_OID = "2.5.29.17";
  private static final int SAN_URI = 6;
  // java.security.cert.X509Certificate#getKeyUsage bit positions (RFC 5280 KeyUsage).
  private static final int KU_DIGITAL_SIGNATURE = 0;
  private static final int KU_KEY_CERT_SIGN = 5;
  private static final int KU_CRL_SIGN = 6;

  private final X509BundleSource bundles;
  private final Clock clock;

  public X509SvidAttestor(X509BundleSource bundles, Clock clock) {
    this.bundles = requireNonNull(bundles, "bundles");
    this.clock = requireNonNull(clock, "clock");
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public AttestationResult attest(Evidence evidence) {
    requireNonNull(evidence, "evidence");
    if (!KIND.equals(evidence.kind())) {
      return reject("evidence kind " + Reasons.quote(evidence.kind()) + " is not " + KIND);
    }
    List<X509Certificate> chain = evidence.peerChain();
    if (chain.isEmpty()) {
      return reject("no client certificate was presented (x509_svid requires an mTLS client certificate)");
    }
    if (chain.size() > MAX_CHAIN_LENGTH) {
      return reject("certificate chain has " + chain.size() + " certificates (expected: at most "
          + MAX_CHAIN_LENGTH + ")");
    }
    X509Certificate leaf = chain.get(0);

    String uri;
    try {
      uri = singleUriSan(leaf);
    } catch (InvalidSvid e) {
      return reject(e.getMessage());
    }
    SpiffeId id;
    try {
      id = SpiffeId.parse(uri);
    } catch (IllegalArgumentException e) {
      return reject("leaf URI SAN " + Reasons.quote(uri) + " is not a valid SPIFFE ID: " + e.getMessage());
    }
    if (id.isTrustDomainId()) {
      // The bare trust-domain ID names the domain's signing authority, never a workload.
      return reject("leaf SPIFFE ID " + Reasons.quote(uri) + " has no path: it names a trust domain, not a workload");
    }

    Optional<String> leafProblem = leafProblem(leaf);
    if (leafProblem.isPresent()) {
      return reject(leafProblem.get());
    }

    Set<X509Certificate> roots = bundles.bundleFor(id.trustDomain()).orElse(Set.of());
    if (roots.isEmpty()) {
      return reject("trust domain '" + id.trustDomain() + "' is not trusted");
    }

    Instant now = clock.instant();
    for (int i = 0; i < chain.size(); i++) {
      Optional<String> problem = validityProblem(chain.get(i), i, now);
      if (problem.isPresent()) {
        return reject(problem.get());
      }
    }

    Optional<String> pathProblem = pathProblem(chain, roots, id.trustDomain(), now);
    if (pathProblem.isPresent()) {
      return reject(pathProblem.get());
    }
    return new Verified(new WorkloadIdentity(id.toString(), KIND, claims(leaf, id)));
  }

  /** The one URI SAN of the leaf; SPIFFE forbids more, since a second ID would make the identity ambiguous. */
  private static String singleUriSan(X509Certificate leaf) throws InvalidSvid {
    java.util.Collection<List<?>> sans;
    try {
      sans = leaf.getSubjectAlternativeNames();
    } catch (CertificateParsingException | RuntimeException e) {
      throw new InvalidSvid("leaf subjectAltName extension could not be parsed");
    }
    if (sans == null) {
      if (leaf.getExtensionValue(SUBJECT_ALT_NAME_OID) != null) {
        throw new InvalidSvid("leaf subjectAltName extension could not be parsed");
      }
      throw new InvalidSvid("leaf certificate has no URI SAN (an X.509-SVID carries exactly one SPIFFE ID)");
    }
    List<String> uris = new ArrayList<>();
    for (List<?> san : sans) {
      if (san.size() >= 2 && san.get(0) instanceof Integer type && type == SAN_URI) {
        uris.add(String.valueOf(san.get(1)));
      }
    }
    if (uris.isEmpty()) {
      throw new InvalidSvid("leaf certificate has no URI SAN (an X.509-SVID carries exactly one SPIFFE ID)");
    }
    if (uris.size() > 1) {
      throw new InvalidSvid("leaf certificate has " + uris.size() + " URI SANs (expected: exactly one SPIFFE ID)");
    }
    return uris.get(0);
  }

  /** SVID leaf rules: a leaf that could act as a CA could mint SVIDs for any workload in the trust domain. */
  private static Optional<String> leafProblem(X509Certificate leaf) {
    if (leaf.getBasicConstraints() != -1) {
      return Optional.of("leaf certificate is a CA certificate (basicConstraints cA=true)");
    }
    boolean[] ku = leaf.getKeyUsage();
    if (ku == null) {
      return Optional.of("leaf certificate has no keyUsage extension (expected: digitalSignature)");
    }
    if (ku.length > KU_KEY_CERT_SIGN && ku[KU_KEY_CERT_SIGN]) {
      return Optional.of("leaf keyUsage includes keyCertSign (a leaf SVID must not sign certificates)");
    }
    if (ku.length > KU_CRL_SIGN && ku[KU_CRL_SIGN]) {
      return Optional.of("leaf keyUsage includes cRLSign (a leaf SVID must not sign CRLs)");
    }
    if (ku.length <= KU_DIGITAL_SIGNATURE || !ku[KU_DIGITAL_SIGNATURE]) {
      return Optional.of("leaf keyUsage lacks digitalSignature");
    }
    List<String> eku;
    try {
      eku = leaf.getExtendedKeyUsage();
    } catch (CertificateParsingException | RuntimeException e) {
      return Optional.of("leaf extendedKeyUsage extension could not be parsed");
    }
    // No EKU means "any use"; when present it must allow TLS client authentication, as this is a client cert.
    if (eku != null && !eku.contains(CLIENT_AUTH_EKU) && !eku.contains(ANY_EKU)) {
      return Optional.of("leaf extendedKeyUsage does not include clientAuth");
    }
    return Optional.empty();
  }

  private static Optional<String> validityProblem(X509Certificate cert, int index, Instant now) {
    String which = index == 0 ? "leaf certificate" : "intermediate certificate #" + index + " ("
        + Reasons.quote(cert.getSubjectX500Principal().getName()) + ")";
    Instant notBefore = cert.getNotBefore().toInstant();
    Instant notAfter = cert.getNotAfter().toInstant();
    if (now.isBefore(notBefore)) {
      return Optional.of(which + " is not valid before " + notBefore);
    }
    if (now.isAfter(notAfter)) {
      return Optional.of(which + " expired at " + notAfter);
    }
    return Optional.empty();
  }

  /**
   * PKIX-validates leaf → presented intermediates → one of {@code roots}. The path is exactly what the client sent
   * (no path building, so no search), revocation is off (SVIDs are short-lived; SPIFFE has no revocation), and the
   * date is the injected clock's.
   */
  private static Optional<String> pathProblem(
      List<X509Certificate> chain, Set<X509Certificate> roots, String trustDomain, Instant now) {
    String prefix = "certificate chain does not verify to a root of trust domain '" + trustDomain + "': ";
    // A client may append the root itself; the anchor must not also be a path element, so cut the path there.
    List<X509Certificate> path = new ArrayList<>();
    for (X509Certificate cert : chain) {
      if (roots.contains(cert)) {
        break;
      }
      path.add(cert);
    }
    if (path.isEmpty()) {
      return Optional.of(prefix + "the leaf is itself a trust anchor");
    }
    Set<TrustAnchor> anchors = new HashSet<>();
    for (X509Certificate root : roots) {
      anchors.add(new TrustAnchor(root, null));
    }
    try {
      CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
      PKIXParameters params = new PKIXParameters(anchors);
      params.setRevocationEnabled(false);
      params.setDate(Date.from(now));
      CertPathValidator.getInstance("PKIX").validate(certPath, params);
      return Optional.empty();
    } catch (CertPathValidatorException e) {
      return Optional.of(prefix + describe(e));
    } catch (GeneralSecurityException | RuntimeException e) {
      return Optional.of(prefix + "path validation failed (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static String describe(CertPathValidatorException e) {
    String at = e.getIndex() < 0 ? "" : e.getIndex() == 0 ? " on the leaf" : " on certificate #" + e.getIndex();
    if (e.getReason() == BasicReason.INVALID_SIGNATURE) {
      return "signature check failed" + at;
    }
    if (e.getReason() == PKIXReason.NO_TRUST_ANCHOR) {
      return "no presented certificate was issued by a trusted root";
    }
    if (e.getReason() == PKIXReason.NOT_CA_CERT) {
      return "issuing certificate is not a CA" + at;
    }
    if (e.getReason() == PKIXReason.PATH_TOO_LONG) {
      return "path length constraint exceeded" + at;
    }
    return Reasons.quote(String.valueOf(e.getMessage())) + at;
  }

  private static Map<String, String> claims(X509Certificate leaf, SpiffeId id) {
    return Map.of(
        "spiffe.trust_domain", id.trustDomain(),
        "x509.serial", leaf.getSerialNumber().toString(16),
        "x509.not_after", leaf.getNotAfter().toInstant().toString(),
        "x509.issuer", leaf.getIssuerX500Principal().getName());
  }

  private static Rejected reject(String reason) {
    return new Rejected(KIND, reason);
  }

  /** Internal control flow for a malformed SVID; never escapes {@link #attest}. */
  private static final class InvalidSvid extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidSvid(String message) {
      super(message, null, false, false);
    }
  }
}
