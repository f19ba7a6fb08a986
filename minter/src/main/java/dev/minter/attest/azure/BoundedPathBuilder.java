package dev.minter.attest.azure;

import dev.minter.attest.Reasons;

import static java.util.Objects.requireNonNull;

import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertPathValidatorException.BasicReason;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds and PKIX-validates a path from a signer certificate through candidate intermediates to one of a fixed set of
 * roots, with a hard bound on the work. General-purpose path builders search every combination of same-named
 * certificates, and a handful of cross-signed or stale roots can make that take minutes (bc-java#2291); here the
 * caller supplies the candidates (the document's certificates plus configured intermediates), the depth is capped at
 * {@code maxIntermediates}, and the whole search may spend at most {@code maxSignatureChecks} signature
 * verifications, counting those PKIX validation does. Past the budget the answer is a refusal, never a slow yes.
 *
 * <p>A candidate is followed only if its subject is the child's issuer, it is a CA, and its key verifies the
 * child's signature, so unrelated or forged certificates cost one signature check each at most. A root is trusted by
 * its key, never by its name: a certificate in the document that copies a root's name (a fake root) is just another
 * candidate whose own issuer must chain to a real root.
 */
public final class BoundedPathBuilder {
  private final Set<X509Certificate> roots;
  private final List<X509Certificate> intermediates;
  private final int maxIntermediates;
  private final int maxSignatureChecks;

  /**
   * @param roots the trust anchors (at least one)
   * @param intermediates configured intermediates, tried along with whatever a document carries
   * @param maxIntermediates the longest path allowed between signer and root
   * @param maxSignatureChecks the most signature verifications one search may spend
   */
  public BoundedPathBuilder(
      Set<X509Certificate> roots, List<X509Certificate> intermediates, int maxIntermediates, int maxSignatureChecks) {
    this.roots = Set.copyOf(requireNonNull(roots, "roots"));
    this.intermediates = List.copyOf(requireNonNull(intermediates, "intermediates"));
    if (this.roots.isEmpty()) {
      throw new IllegalArgumentException("roots: empty (expected: at least one trust anchor)");
    }
    if (maxIntermediates < 0 || maxSignatureChecks < 1) {
      throw new IllegalArgumentException("maxIntermediates/maxSignatureChecks: " + maxIntermediates + "/"
          + maxSignatureChecks + " (expected: >= 0 / >= 1)");
    }
    this.maxIntermediates = maxIntermediates;
    this.maxSignatureChecks = maxSignatureChecks;
  }

  /**
   * The validated path, signer first and root excluded, or a refusal saying why there is none.
   *
   * @param signer the certificate to chain
   * @param presented untrusted candidates from the document
   * @param now the time every certificate must be valid at
   */
  public List<X509Certificate> build(X509Certificate signer, List<X509Certificate> presented, Instant now)
      throws Refusal {
    if (roots.contains(signer)) {
      throw Refusal.untrusted("signer certificate is itself a configured root (a root never signs documents)");
    }
    Set<X509Certificate> candidates = new LinkedHashSet<>(presented);
    candidates.addAll(intermediates);
    candidates.removeAll(roots);
    candidates.remove(signer);
    Search search = new Search(List.copyOf(candidates), now);
    List<X509Certificate> path = new ArrayList<>(List.of(signer));
    if (search.extend(path)) {
      return List.copyOf(path);
    }
    if (search.invalid != null) {
      throw Refusal.untrusted("certificate path to a configured root is not valid: " + search.invalid);
    }
    if (search.tooLong) {
      throw Refusal.untrusted("signer certificate does not chain to a configured root within " + maxIntermediates
          + " intermediates");
    }
    throw Refusal.untrusted("signer certificate does not chain to a configured root");
  }

  /** One depth-first search with its budget and the most useful failure seen. */
  private final class Search {
    private final List<X509Certificate> candidates;
    private final Instant now;
    private int budget = maxSignatureChecks;
    private String invalid;
    private boolean tooLong;

    Search(List<X509Certificate> candidates, Instant now) {
      this.candidates = candidates;
      this.now = now;
    }

    boolean extend(List<X509Certificate> path) throws Refusal {
      X509Certificate last = path.get(path.size() - 1);
      for (X509Certificate root : roots) {
        if (root.getSubjectX500Principal().equals(last.getIssuerX500Principal()) && signs(root, last)
            && validate(path, root)) {
          return true;
        }
      }
      for (X509Certificate next : candidates) {
        if (!next.getSubjectX500Principal().equals(last.getIssuerX500Principal()) || path.contains(next)
            || next.getBasicConstraints() < 0) {
          continue;
        }
        if (path.size() > maxIntermediates) {
          tooLong = true;
          return false;
        }
        if (signs(next, last)) {
          path.add(next);
          if (extend(path)) {
            return true;
          }
          path.remove(path.size() - 1);
        }
      }
      return false;
    }

    private boolean signs(X509Certificate issuer, X509Certificate child) throws Refusal {
      spend(1);
      try {
        child.verify(issuer.getPublicKey());
        return true;
      } catch (GeneralSecurityException | RuntimeException e) {
        return false;
      }
    }

    /** Full RFC 5280 validation of a found path: validity at {@code now}, CA flags, path lengths, key usage. */
    private boolean validate(List<X509Certificate> path, X509Certificate root) throws Refusal {
      spend(path.size());
      try {
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
        params.setRevocationEnabled(false); // Azure's IMDS certificates are short-lived; no CRL/OCSP fetch here.
        params.setDate(Date.from(now));
        CertPathValidator.getInstance("PKIX")
            .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
        return true;
      } catch (CertPathValidatorException e) {
        invalid = describe(e, path);
        return false;
      } catch (GeneralSecurityException | RuntimeException e) {
        invalid = "validation failed (" + e.getClass().getSimpleName() + ")";
        return false;
      }
    }

    private void spend(int checks) throws Refusal {
      budget -= checks;
      if (budget < 0) {
        throw Refusal.untrusted("certificate path search gave up after " + maxSignatureChecks
            + " signature checks (too many candidate certificates)");
      }
    }
  }

  private static String describe(CertPathValidatorException e, List<X509Certificate> path) {
    int i = e.getIndex();
    String which = i < 0 || i >= path.size() ? "a certificate"
        : (i == 0 ? "signer certificate " : "intermediate certificate ")
            + Reasons.quote(path.get(i).getSubjectX500Principal().getName());
    if (e.getReason() == BasicReason.EXPIRED) {
      return which + " expired at " + path.get(i).getNotAfter().toInstant();
    }
    if (e.getReason() == BasicReason.NOT_YET_VALID) {
      return which + " is not valid before " + path.get(i).getNotBefore().toInstant();
    }
    if (e.getReason() == PKIXReason.PATH_TOO_LONG) {
      return "path length constraint exceeded at " + which;
    }
    if (e.getReason() == PKIXReason.NOT_CA_CERT || e.getReason() == PKIXReason.INVALID_KEY_USAGE) {
      return which + " may not issue certificates";
    }
    return which + ": " + Reasons.quote(String.valueOf(e.getMessage()));
  }
}
