package dev.minter.tls;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What {@link DevCa#issue} puts in a certificate. Deliberately permissive (any URI string, CA flag, any key usage,
 * any signer, self-signed) so tests can craft the malformed SVIDs that verifiers must reject.
 *
 * @param commonName the subject CN
 * @param uriSans URI SANs, written as given (0..n; an SVID has exactly one)
 * @param dnsSans DNS SANs
 * @param ipSans IP address SANs (literal IPv4/IPv6)
 * @param notBefore start of validity
 * @param notAfter end of validity
 * @param isCa basicConstraints cA
 * @param keyUsages keyUsage bits; empty omits the extension
 * @param extendedKeyUsages extendedKeyUsage purposes; empty omits the extension
 * @param signer who signs it; empty means the {@link DevCa} that issues it
 * @param selfSigned sign with the certificate's own new key (overrides {@code signer})
 */
public record LeafSpec(
    String commonName,
    List<String> uriSans,
    List<String> dnsSans,
    List<String> ipSans,
    Instant notBefore,
    Instant notAfter,
    boolean isCa,
    Set<KeyUse> keyUsages,
    Set<ExtendedKeyUse> extendedKeyUsages,
    Optional<CertifiedKey> signer,
    boolean selfSigned) {

  /** RFC 5280 keyUsage bits a spec can set. */
  public enum KeyUse { DIGITAL_SIGNATURE, KEY_ENCIPHERMENT, KEY_AGREEMENT, KEY_CERT_SIGN, CRL_SIGN }

  /** extendedKeyUsage purposes a spec can set. */
  public enum ExtendedKeyUse { SERVER_AUTH, CLIENT_AUTH }

  public LeafSpec {
    requireNonNull(commonName, "commonName");
    uriSans = List.copyOf(requireNonNull(uriSans, "uriSans"));
    dnsSans = List.copyOf(requireNonNull(dnsSans, "dnsSans"));
    ipSans = List.copyOf(requireNonNull(ipSans, "ipSans"));
    requireNonNull(notBefore, "notBefore");
    requireNonNull(notAfter, "notAfter");
    if (!notAfter.isAfter(notBefore)) {
      throw new IllegalArgumentException("notAfter: " + notAfter + " (expected: after notBefore " + notBefore + ")");
    }
    keyUsages = Set.copyOf(requireNonNull(keyUsages, "keyUsages"));
    extendedKeyUsages = Set.copyOf(requireNonNull(extendedKeyUsages, "extendedKeyUsages"));
    requireNonNull(signer, "signer");
  }

  /** A client X.509-SVID: one URI SAN, digitalSignature, clientAuth, signed by the issuing CA. */
  public static LeafSpec clientSvid(String spiffeId, Instant notBefore, Instant notAfter) {
    return builder(notBefore, notAfter).uri(spiffeId).build();
  }

  /** Starts a spec with leaf defaults: CN "minter dev leaf", digitalSignature, clientAuth, no SANs. */
  public static Builder builder(Instant notBefore, Instant notAfter) {
    return new Builder(notBefore, notAfter);
  }

  /** Mutable builder for {@link LeafSpec}. */
  public static final class Builder {
    private String commonName = "minter dev leaf";
    private final List<String> uris = new ArrayList<>();
    private final List<String> dns = new ArrayList<>();
    private final List<String> ips = new ArrayList<>();
    private final Instant notBefore;
    private final Instant notAfter;
    private boolean ca;
    private Set<KeyUse> keyUsages = EnumSet.of(KeyUse.DIGITAL_SIGNATURE);
    private Set<ExtendedKeyUse> ekus = EnumSet.of(ExtendedKeyUse.CLIENT_AUTH);
    private CertifiedKey signer;
    private boolean selfSigned;

    private Builder(Instant notBefore, Instant notAfter) {
      this.notBefore = requireNonNull(notBefore, "notBefore");
      this.notAfter = requireNonNull(notAfter, "notAfter");
    }

    public Builder commonName(String cn) {
      this.commonName = cn;
      return this;
    }

    public Builder uri(String... values) {
      uris.addAll(List.of(values));
      return this;
    }

    public Builder dns(String... values) {
      dns.addAll(List.of(values));
      return this;
    }

    public Builder ip(String... values) {
      ips.addAll(List.of(values));
      return this;
    }

    public Builder ca(boolean isCa) {
      this.ca = isCa;
      return this;
    }

    /** Replaces the key usages; none omits the extension. */
    public Builder keyUsages(KeyUse... values) {
      this.keyUsages = values.length == 0 ? Set.of() : EnumSet.copyOf(List.of(values));
      return this;
    }

    /** Replaces the extended key usages; none omits the extension. */
    public Builder extendedKeyUsages(ExtendedKeyUse... values) {
      this.ekus = values.length == 0 ? Set.of() : EnumSet.copyOf(List.of(values));
      return this;
    }

    /** Signs with {@code issuer} (e.g. an intermediate) instead of the issuing {@link DevCa}. */
    public Builder signedBy(CertifiedKey issuer) {
      this.signer = requireNonNull(issuer, "issuer");
      return this;
    }

    public Builder selfSigned() {
      this.selfSigned = true;
      return this;
    }

    public LeafSpec build() {
      return new LeafSpec(commonName, uris, dns, ips, notBefore, notAfter, ca, keyUsages, ekus,
          Optional.ofNullable(signer), selfSigned);
    }
  }
}
