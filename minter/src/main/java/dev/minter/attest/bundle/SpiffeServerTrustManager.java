package dev.minter.attest.bundle;

import static java.util.Objects.requireNonNull;

import dev.minter.attest.SpiffeId;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Authenticates a SPIFFE bundle endpoint server by its X.509-SVID (the {@code https_spiffe} profile, SPIFFE Trust
 * Domain and Bundle spec 5.2.2): the leaf must carry exactly the configured endpoint SPIFFE ID and chain to an
 * X.509 authority of the bundle currently held for that trust domain.
 *
 * <p>Being an {@link X509ExtendedTrustManager}, it replaces JSSE's host-name check rather than adding to it: the
 * server's identity is its SPIFFE ID, not the DNS name in the URL, so the URL's host need not appear in the
 * certificate. That is only sound because the SPIFFE ID check here is exact.
 */
final class SpiffeServerTrustManager extends X509ExtendedTrustManager {
  private static final int MAX_CHAIN = 5;
  private static final int SAN_URI = 6;

  private final SpiffeId expected;
  private final Supplier<Set<X509Certificate>> authorities;
  private final Clock clock;

  SpiffeServerTrustManager(SpiffeId expected, Supplier<Set<X509Certificate>> authorities, Clock clock) {
    this.expected = requireNonNull(expected, "expected");
    this.authorities = requireNonNull(authorities, "authorities");
    this.clock = requireNonNull(clock, "clock");
  }

  void verify(X509Certificate[] chain) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("bundle endpoint presented no certificate");
    }
    if (chain.length > MAX_CHAIN) {
      throw new CertificateException("bundle endpoint chain has " + chain.length + " certificates");
    }
    X509Certificate leaf = chain[0];
    String uri = singleUriSan(leaf);
    if (!expected.toString().equals(uri)) {
      throw new CertificateException("bundle endpoint SPIFFE ID is " + JsonDocs.quote(uri) + " (expected: "
          + expected + ")");
    }
    if (leaf.getBasicConstraints() >= 0) {
      throw new CertificateException("bundle endpoint leaf certificate is a CA");
    }
    Set<X509Certificate> roots = authorities.get();
    if (roots.isEmpty()) {
      throw new CertificateException("no X.509 authority of '" + expected.trustDomain() + "' to verify against");
    }
    List<X509Certificate> path = new ArrayList<>();
    for (X509Certificate cert : chain) {
      if (roots.contains(cert)) {
        break;
      }
      path.add(cert);
    }
    if (path.isEmpty()) {
      throw new CertificateException("bundle endpoint leaf certificate is itself a trust anchor");
    }
    Set<TrustAnchor> anchors = new HashSet<>();
    roots.forEach(r -> anchors.add(new TrustAnchor(r, null)));
    try {
      PKIXParameters params = new PKIXParameters(anchors);
      params.setRevocationEnabled(false);
      params.setDate(Date.from(clock.instant()));
      CertPathValidator.getInstance("PKIX")
          .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new CertificateException("bundle endpoint certificate does not verify to a root of '"
          + expected.trustDomain() + "': " + e.getMessage(), e);
    }
  }

  private static String singleUriSan(X509Certificate leaf) throws CertificateException {
    Collection<List<?>> sans;
    try {
      sans = leaf.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      throw new CertificateException("bundle endpoint certificate SAN cannot be parsed");
    }
    List<String> uris = new ArrayList<>();
    if (sans != null) {
      for (List<?> san : sans) {
        if (san.size() >= 2 && Integer.valueOf(SAN_URI).equals(san.get(0))) {
          uris.add(String.valueOf(san.get(1)));
        }
      }
    }
    if (uris.size() != 1) {
      throw new CertificateException("bundle endpoint certificate has " + uris.size() + " URI SANs (expected: 1)");
    }
    return uris.get(0);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    verify(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    verify(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    verify(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    throw new CertificateException("client certificates are not accepted here");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    throw new CertificateException("client certificates are not accepted here");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException("client certificates are not accepted here");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }
}
