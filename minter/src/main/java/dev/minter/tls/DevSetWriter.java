package dev.minter.tls;

import dev.minter.attest.SpiffeId;
import dev.minter.tls.LeafSpec.ExtendedKeyUse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** The idempotent body of {@link DevCa#writeDevSet}: reuse what is still good, issue what is missing or stale. */
final class DevSetWriter {
  static final String SERVER = "server";
  static final Duration CA_VALIDITY = Duration.ofDays(365);
  static final Duration LEAF_VALIDITY = Duration.ofDays(30);
  /** Anything expiring sooner is replaced, so a dev stack never starts with a certificate about to lapse. */
  static final Duration RENEW_WITHIN = Duration.ofDays(1);
  // Leaf names become file names: no separators, no leading dot, nothing that could escape the directory.
  private static final Pattern LEAF_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  private DevSetWriter() {}

  static DevSet write(Path dir, String trustDomain, Map<String, String> leaves, Clock clock) throws IOException {
    if (!SpiffeId.isValidTrustDomain(trustDomain)) {
      throw new IllegalArgumentException("trustDomain: not a valid SPIFFE trust domain");
    }
    Map<String, SpiffeId> wanted = new LinkedHashMap<>();
    wanted.put(SERVER, new SpiffeId(trustDomain, "/minter"));
    leaves.forEach((name, id) -> wanted.put(checkName(name), checkId(id, trustDomain)));

    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    Files.createDirectories(dir);
    Path caPem = dir.resolve("ca.pem");
    Path caKey = dir.resolve("ca.key");
    DevCa ca = existingCa(caPem, caKey, trustDomain, now);
    boolean caCreated = ca == null;
    if (caCreated) {
      ca = DevCa.create(trustDomain, CA_VALIDITY, clock);
      ca.write(caPem, caKey);
    }

    List<String> issued = new ArrayList<>();
    List<String> kept = new ArrayList<>();
    for (Map.Entry<String, SpiffeId> e : wanted.entrySet()) {
      Path pem = dir.resolve(e.getKey() + ".pem");
      Path key = dir.resolve(e.getKey() + ".key");
      if (stillGood(pem, key, e.getValue(), ca, now)) {
        kept.add(e.getKey());
        continue;
      }
      CertifiedKey leaf = ca.issue(spec(e.getKey(), e.getValue(), ca, now));
      Pem.writePrivateKey(key, leaf.privateKey());
      Pem.writeCertificates(pem, List.of(leaf.certificate()));
      issued.add(e.getKey());
    }
    return new DevSet(dir, caCreated, issued, kept);
  }

  private static DevCa existingCa(Path caPem, Path caKey, String trustDomain, Instant now) throws IOException {
    boolean hasPem = Files.exists(caPem);
    if (hasPem != Files.exists(caKey)) {
      // Half a CA: regenerating would silently orphan whatever trusts the other half. Let the operator decide.
      throw new IOException(caPem.getParent() + " holds only one of ca.pem and ca.key; remove it or restore both");
    }
    if (!hasPem) {
      return null;
    }
    DevCa ca = DevCa.load(caPem, caKey);
    if (!ca.trustDomain().equals(trustDomain)) {
      throw new IOException(caPem + " is a CA for trust domain '" + ca.trustDomain() + "', not '" + trustDomain
          + "'; use another directory");
    }
    return ca.certificate().getNotAfter().toInstant().isAfter(now.plus(RENEW_WITHIN)) ? ca : null;
  }

  private static boolean stillGood(Path pem, Path keyFile, SpiffeId id, DevCa ca, Instant now) {
    if (!Files.exists(pem) || !Files.exists(keyFile)) {
      return false;
    }
    try {
      X509Certificate cert = Pem.readCertificates(pem).get(0);
      PrivateKey key = Pem.readPrivateKey(keyFile);
      cert.verify(ca.certificate().getPublicKey());
      return !cert.getNotBefore().toInstant().isAfter(now)
          && cert.getNotAfter().toInstant().isAfter(now.plus(RENEW_WITHIN))
          && Certificates.uriSans(cert).equals(List.of(id.toString()))
          && Certificates.keyMatches(cert, key);
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      return false; // unreadable or not ours: reissue
    }
  }

  private static LeafSpec spec(String name, SpiffeId id, DevCa ca, Instant now) {
    Instant caEnd = ca.certificate().getNotAfter().toInstant();
    Instant end = now.plus(LEAF_VALIDITY).isBefore(caEnd) ? now.plus(LEAF_VALIDITY) : caEnd;
    LeafSpec.Builder b = LeafSpec.builder(now.minus(DevCa.BACKDATE), end).commonName(name).uri(id.toString());
    if (name.equals(SERVER)) {
      b.dns("localhost").ip("127.0.0.1").extendedKeyUsages(ExtendedKeyUse.SERVER_AUTH, ExtendedKeyUse.CLIENT_AUTH);
    }
    return b.build();
  }

  private static String checkName(String name) {
    if (!LEAF_NAME.matcher(name).matches() || name.equals("ca") || name.equals(SERVER)) {
      throw new IllegalArgumentException("leaf name " + name + " (expected: [A-Za-z0-9][A-Za-z0-9._-]*, not 'ca' "
          + "or 'server')");
    }
    return name;
  }

  private static SpiffeId checkId(String id, String trustDomain) {
    SpiffeId parsed = SpiffeId.parse(id);
    if (!parsed.trustDomain().equals(trustDomain) || parsed.isTrustDomainId()) {
      throw new IllegalArgumentException("SPIFFE ID " + id + " (expected: a workload in trust domain '"
          + trustDomain + "')");
    }
    return parsed;
  }
}
