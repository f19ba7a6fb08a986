package dev.minter.attest;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.minter.attest.AttestationResult.Rejected;
import dev.minter.attest.AttestationResult.Verified;
import dev.minter.attest.azure.AttestedData;
import dev.minter.attest.azure.AzureImdsConfig;
import dev.minter.attest.azure.AzureImdsSettings;
import dev.minter.attest.azure.BoundedPathBuilder;
import dev.minter.attest.azure.ImdsResponse;
import dev.minter.attest.azure.Pkcs7Verifier;
import dev.minter.attest.azure.Refusal;
import dev.minter.attest.azure.SignedContent;
import dev.minter.config.ConfigLoader;
import java.io.IOException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/**
 * Verifies an Azure Instance Metadata Service attested data document bound to a nonce Minter issued. The agent calls
 * {@code IssueNonce}, asks IMDS for {@code /metadata/attested/document?api-version=2020-09-01&nonce=<nonce>}, and sends
 * the JSON answer ({@code {"encoding":"pkcs7","signature":"<base64 PKCS#7>"}}) verbatim as evidence.
 *
 * <p>In order, each step only ever looking at what the previous one verified:
 * <ol>
 *   <li>the PKCS#7 has exactly one SignerInfo and its signature verifies over the attached content with the signer
 *       certificate it carries ({@link Pkcs7Verifier});
 *   <li>that certificate is for {@code signer_name} (or a subdomain, as Azure documents), is not a CA, and chains
 *       through the document's or configured intermediates to a configured root, valid now, with a bounded search
 *       ({@link BoundedPathBuilder});
 *   <li>only then is the signed content parsed, strictly ({@link AttestedData});
 *   <li>its {@code timeStamp} covers now (± the configured skew), its subscription (and VM, if listed) is allowed;
 *   <li>last, its nonce is one this server issued, unexpired and unused, and is consumed: a second use is a replay.
 * </ol>
 * The nonce is what makes a stolen document worthless: IMDS signs any nonce for any VM, but only this server's
 * single-use nonces are accepted, so every call needs a fresh document fetched on the VM itself.
 *
 * <p>Identity: {@code spiffe://<identity domain>/azure/<subscriptionId>/<vmId>}; claims {@code azure.subscription_id},
 * {@code azure.vm_id}, and {@code azure.sku}/{@code azure.license_type} when the document has them.
 */
public final class AzureImdsAttestor implements Attestor {
  public static final String KIND = "azure_imds";
  /** Azure's chain is signer → issuing CA → root; a little room for a cross-signed intermediate. */
  public static final int MAX_INTERMEDIATES = 3;
  /** Hard bound on path-search work per document (each check is one RSA/ECDSA verification, well under 1 ms). */
  public static final int MAX_SIGNATURE_CHECKS = 24;

  /** IMDS takes up to 32 alphanumerics; anything else cannot be a nonce of ours and never reaches the stores. */
  private static final Pattern NONCE = Pattern.compile("[A-Za-z0-9]{1,32}");
  private static final Pattern HOST_NAME = Pattern.compile("[a-z0-9*]([a-z0-9.-]*[a-z0-9])?");
  private static final int SAN_DNS = 2;

  private final AzureImdsSettings settings;
  private final AttestorEnvironment env;
  private final BoundedPathBuilder paths;

  public AzureImdsAttestor(AzureImdsSettings settings, AttestorEnvironment env) {
    this.settings = requireNonNull(settings, "settings");
    this.env = requireNonNull(env, "env");
    this.paths = new BoundedPathBuilder(settings.roots(), settings.intermediates(), MAX_INTERMEDIATES,
        MAX_SIGNATURE_CHECKS);
  }

  /** Builds the attestor from its {@code attestors.azure_imds} section (see {@link AzureImdsConfig}). */
  public static AzureImdsAttestor fromConfig(JsonNode config, AttestorEnvironment env) throws IOException {
    return new AzureImdsAttestor(ConfigLoader.convert(config, AzureImdsConfig.class, env.baseDir()).load(), env);
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public AttestationResult attest(Evidence evidence) {
    requireNonNull(evidence, "evidence");
    if (!KIND.equals(evidence.kind())) {
      return new Rejected(KIND, "evidence kind " + Reasons.quote(evidence.kind()) + " is not " + KIND);
    }
    byte[] payload = evidence.payload();
    if (payload.length > Attestors.MAX_EVIDENCE_BYTES) {
      return Rejected.malformed(KIND, "document is " + payload.length + " bytes (expected: <= "
          + Attestors.MAX_EVIDENCE_BYTES + ")");
    }
    try {
      return new Verified(verify(payload, env.clock().instant()));
    } catch (Refusal r) {
      return new Rejected(KIND, r.getMessage(), r.failure());
    } catch (RuntimeException e) {
      // Defence in depth: a parser bug must be a refusal, never an exception out of the API edge.
      return new Rejected(KIND, "document could not be verified (" + e.getClass().getSimpleName() + ")");
    }
  }

  private WorkloadIdentity verify(byte[] payload, Instant now) throws Refusal {
    SignedContent signed = Pkcs7Verifier.verify(ImdsResponse.parse(payload).pkcs7());
    checkSigner(signed.signer());
    paths.build(signed.signer(), signed.certificates(), now);
    // From here on, only the content whose signature verified with a trusted Azure key is read.
    AttestedData data = AttestedData.parse(signed.content());
    checkTimes(data, now);
    checkAllowed(data);
    consumeNonce(data.nonce(), now);
    Map<String, String> claims = new LinkedHashMap<>();
    claims.put("azure.subscription_id", data.subscriptionId());
    claims.put("azure.vm_id", data.vmId());
    data.sku().ifPresent(sku -> claims.put("azure.sku", sku));
    data.licenseType().ifPresent(license -> claims.put("azure.license_type", license));
    String id = IdentityUris.of(env.identityDomain(), "azure", data.subscriptionId(), data.vmId());
    return new WorkloadIdentity(id, KIND, claims);
  }

  /**
   * The signer must be the metadata service's own certificate: Azure's issuing CAs also certify countless other
   * Microsoft services, and none of those may vouch for a VM.
   */
  private void checkSigner(X509Certificate signer) throws Refusal {
    if (signer.getBasicConstraints() >= 0) {
      throw Refusal.untrusted("signer certificate is a CA certificate (expected: the metadata service's own)");
    }
    boolean[] keyUsage = signer.getKeyUsage();
    if (keyUsage != null && (keyUsage.length == 0 || !keyUsage[0])) {
      throw Refusal.untrusted("signer certificate keyUsage lacks digitalSignature");
    }
    List<String> names = signerNames(signer);
    for (String name : names) {
      String n = name.toLowerCase(Locale.ROOT);
      if (HOST_NAME.matcher(n).matches()
          && (n.equals(settings.signerName()) || n.endsWith("." + settings.signerName()))) {
        return;
      }
    }
    throw Refusal.untrusted("signer certificate is for " + (names.isEmpty() ? "no name"
        : Reasons.quote(String.join(", ", names))) + ", not " + settings.signerName());
  }

  /** DNS SANs when there are any (RFC 6125), otherwise the subject CNs. */
  private static List<String> signerNames(X509Certificate cert) throws Refusal {
    List<String> names = new ArrayList<>();
    try {
      var sans = cert.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          if (san.size() >= 2 && san.get(0) instanceof Integer type && type == SAN_DNS) {
            names.add(String.valueOf(san.get(1)));
          }
        }
      }
    } catch (CertificateParsingException | RuntimeException e) {
      throw Refusal.untrusted("signer certificate subjectAltName could not be parsed");
    }
    if (names.isEmpty()) {
      for (RDN rdn : X500Name.getInstance(cert.getSubjectX500Principal().getEncoded()).getRDNs(BCStyle.CN)) {
        names.add(IETFUtils.valueToString(rdn.getFirst().getValue()));
      }
    }
    return names;
  }

  private void checkTimes(AttestedData data, Instant now) throws Refusal {
    if (!data.expiresOn().isAfter(data.createdOn())) {
      throw Refusal.untrusted("document timeStamp expiresOn " + data.expiresOn() + " is not after createdOn "
          + data.createdOn());
    }
    if (data.createdOn().isAfter(now.plus(env.skew()))) {
      throw Refusal.untrusted("document was created in the future (createdOn " + data.createdOn() + ", now " + now
          + ")");
    }
    if (!data.expiresOn().isAfter(now.minus(env.skew()))) {
      throw Refusal.untrusted("document expired at " + data.expiresOn());
    }
  }

  private void checkAllowed(AttestedData data) throws Refusal {
    if (!settings.subscriptions().contains(data.subscriptionId())) {
      throw Refusal.untrusted("subscription " + data.subscriptionId() + " is not allowed");
    }
    if (!settings.vmIds().isEmpty() && !settings.vmIds().contains(data.vmId())) {
      throw Refusal.untrusted("VM " + data.vmId() + " is not allowed");
    }
  }

  /**
   * Last, so a document refused for any other reason does not burn its nonce. The replay guard is marked first: a
   * second use is reported as the replay it is (the nonce store alone cannot tell "used" from "never issued"), and
   * two concurrent uses race on one atomic insert. Only documents from allowed subscriptions get this far, so a
   * stranger cannot fill the guard.
   */
  private void consumeNonce(String nonce, Instant now) throws Refusal {
    if (!NONCE.matcher(nonce).matches()) {
      throw Refusal.untrusted("nonce " + Reasons.quote(nonce) + " was not issued by this server (call IssueNonce "
          + "and pass its nonce to IMDS)");
    }
    // Every nonce of the store expires within LIFETIME of now, so the guard may forget it after that.
    if (!env.replay().firstUse(KIND, "nonce:" + nonce, now.plus(NonceStore.LIFETIME).plus(env.skew()))) {
      throw Refusal.replayed("nonce " + Reasons.quote(nonce) + " was already used (a nonce is good for one call)");
    }
    if (!env.nonces().consume(nonce)) {
      throw Refusal.untrusted("nonce " + Reasons.quote(nonce) + " was not issued by this server or has expired");
    }
  }
}
