package dev.minter.attest;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.minter.attest.aws.AwsIidConfig;
import dev.minter.attest.aws.IidDocument;
import dev.minter.attest.aws.IidPayload;
import dev.minter.attest.aws.IidRejection;
import dev.minter.attest.aws.IidSignature;
import dev.minter.attest.aws.IidTrust;
import dev.minter.config.ConfigLoader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;

/**
 * Attests EC2 instances by their instance identity document ({@code aws_iid}): the document and its {@code rsa2048}
 * PKCS#7 signature from the instance metadata service, sent as {@code {"document": ..., "rsa2048": ...}}.
 *
 * <p>Checks, in order: the payload's shape; the PKCS#7 (one SignerInfo, SHA-256/RSA, signed by a configured AWS
 * certificate, never one the PKCS#7 carries); that the presented document is byte-for-byte the signed content; the
 * signed document's fields; that the certificate is the one configured for the document's region; the account and
 * region allow-lists; that the instance did not start in the future or longer than {@code max_instance_age} ago; and
 * the per-instance pin (see {@link TofuPins}). Identity: {@code spiffe://<domain>/aws/<account>/<instance>}.
 *
 * <p>Why a pin and not the replay guard: the document cannot carry a challenge and is the same on every call of the
 * instance (AWS signs it once per launch), so a "seen once" guard would refuse the instance's own second call. The
 * pin instead remembers the newest launch of each instance and refuses documents of earlier launches; a stolen
 * current document stays usable until the instance is started again (or {@code max_instance_age} passes). Callers who
 * need replay resistance should use {@code aws_iam} (a signed, time-bound STS request). See docs/attestors/aws_iid.md.
 */
public final class AwsIidAttestor implements Attestor {
  public static final String KIND = "aws_iid";

  private final AwsIidConfig config;
  private final IidTrust trust;
  private final AttestorEnvironment env;
  private final TofuPins pins;
  private final Set<String> accounts;
  private final Set<String> regions;

  public AwsIidAttestor(AwsIidConfig config, IidTrust trust, AttestorEnvironment env, TofuPins pins) {
    this.config = requireNonNull(config, "config");
    this.trust = requireNonNull(trust, "trust");
    this.env = requireNonNull(env, "env");
    this.pins = requireNonNull(pins, "pins");
    this.accounts = Set.copyOf(config.accounts());
    this.regions = Set.copyOf(config.regions());
  }

  /** Builds the attestor from its configuration section; throws {@link IllegalArgumentException} naming the setting. */
  public static AwsIidAttestor create(JsonNode config, AttestorEnvironment env, TofuPins pins) {
    AwsIidConfig parsed = ConfigLoader.convert(config, AwsIidConfig.class, env.baseDir());
    return new AwsIidAttestor(parsed, IidTrust.load(parsed), env, pins);
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public AttestationResult attest(Evidence evidence) {
    if (!KIND.equals(evidence.kind())) {
      return AttestationResult.Rejected.malformed(KIND, "evidence kind is not " + KIND);
    }
    try {
      return new AttestationResult.Verified(verify(evidence.payload()));
    } catch (IidRejection rejection) {
      return rejection.toResult(KIND);
    }
  }

  private WorkloadIdentity verify(byte[] payload) throws IidRejection {
    IidPayload presented = IidPayload.parse(payload);
    IidSignature.Signed signed = IidSignature.verify(presented.rsa2048(), trust);
    byte[] content = signed.content();
    // The document is read only from the signed content; the presented copy must be that content exactly, so no
    // reader (an auditor, a later version of this code) can be shown one document while another was signed.
    if (!MessageDigest.isEqual(presented.document().getBytes(StandardCharsets.UTF_8), content)) {
      throw IidRejection.untrusted("document is not byte-for-byte the content signed in rsa2048");
    }
    IidDocument document = IidDocument.parse(content);
    checkRegionCertificate(document, signed.signer());
    if (!accounts.contains(document.accountId())) {
      throw IidRejection.untrusted("account " + document.accountId() + " is not allowed (accounts)");
    }
    if (!regions.isEmpty() && !regions.contains(document.region())) {
      throw IidRejection.untrusted("region " + document.region() + " is not allowed (regions)");
    }
    checkPendingTime(document);
    checkPin(document, content);
    return new WorkloadIdentity(
        IdentityUris.of(env.identityDomain(), "aws", document.accountId(), document.instanceId()),
        KIND,
        Map.of(
            "aws.account", document.accountId(),
            "aws.region", document.region(),
            "aws.instance_id", document.instanceId(),
            "aws.image_id", document.imageId(),
            "aws.instance_type", document.instanceType(),
            "aws.az", document.availabilityZone()));
  }

  /** AWS signs each region's documents with that region's key: a document of region A signed with B's is forged. */
  private void checkRegionCertificate(IidDocument document, X509Certificate signer) throws IidRejection {
    X509Certificate expected =
        trust.forRegion(document.region())
            .orElseThrow(() -> IidRejection.untrusted(
                "region " + document.region() + " has no configured AWS certificate (certificates/default_certificate)"));
    if (!expected.equals(signer)) {
      throw IidRejection.untrusted(
          "rsa2048 is signed by a configured certificate that is not the one for region " + document.region());
    }
  }

  private void checkPendingTime(IidDocument document) throws IidRejection {
    Instant now = env.clock().instant();
    Duration skew = env.skew();
    if (document.pendingTime().isAfter(now.plus(skew))) {
      throw IidRejection.untrusted("pendingTime " + document.pendingTime() + " is in the future (now " + now + ")");
    }
    Duration maxAge = config.maxInstanceAge();
    if (maxAge != null && document.pendingTime().plus(maxAge).plus(skew).isBefore(now)) {
      throw IidRejection.untrusted("instance started at " + document.pendingTime() + ", longer ago than max_instance_age "
          + maxAge);
    }
  }

  /**
   * Trust on first use per instance, moving forward with launches: the first document of the newest launch is pinned;
   * the same document again is accepted, a newer launch replaces the pin, anything else is a replay.
   */
  private void checkPin(IidDocument document, byte[] content) throws IidRejection {
    if (config.allowReattestation()) {
      return; // the named weaker mode: every verified document of an allowed instance is accepted, however old
    }
    String subject = document.accountId() + "/" + document.instanceId();
    TofuPins.Outcome outcome;
    try {
      outcome = pins.pin(KIND, subject, document.pendingTime().toEpochMilli(), sha256(content));
    } catch (RuntimeException e) {
      // Fail closed: without the pin a stale document would pass. Attestors never throw, so this is a rejection.
      throw IidRejection.untrusted("trust-on-first-use records are unavailable (" + e.getClass().getSimpleName()
          + "); refusing rather than skipping the replay check");
    }
    switch (outcome) {
      case FIRST, SAME, ADVANCED -> {}
      case STALE -> throw IidRejection.replayed("document of instance " + document.instanceId() + " is from an earlier"
          + " launch (pendingTime " + document.pendingTime() + ") than one already seen");
      case CONFLICT -> throw IidRejection.replayed("document of instance " + document.instanceId() + " differs from the"
          + " one pinned for its launch at " + document.pendingTime());
    }
  }

  private static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
