package dev.minter.attest.azure;

import static java.util.Objects.requireNonNull;

import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What the Azure attestor trusts and allows, validated: roots and intermediates as certificates, the signer's DNS
 * name, and the allow-lists as lower-case GUIDs (Azure IDs are case-insensitive; comparing one canonical form keeps an
 * upper-case variant from slipping past, or being refused by, the list).
 *
 * @param roots trust anchors for the IMDS signing certificate (non-empty)
 * @param intermediates extra path-building candidates (may be empty)
 * @param signerName DNS name the signer certificate must carry, itself or as a subdomain (Azure's documented rule)
 * @param subscriptions allowed subscription IDs (non-empty)
 * @param vmIds allowed VM IDs; empty allows every VM of an allowed subscription
 */
public record AzureImdsSettings(
    Set<X509Certificate> roots,
    List<X509Certificate> intermediates,
    String signerName,
    Set<String> subscriptions,
    Set<String> vmIds) {
  public static final String DEFAULT_SIGNER_NAME = "metadata.azure.com";
  private static final Pattern DNS_NAME = Pattern.compile("([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}");

  public AzureImdsSettings {
    roots = Set.copyOf(requireNonNull(roots, "roots"));
    intermediates = List.copyOf(requireNonNull(intermediates, "intermediates"));
    requireNonNull(signerName, "signerName");
    subscriptions = guids(subscriptions, "subscriptions");
    vmIds = guids(vmIds, "vm_ids");
    if (roots.isEmpty()) {
      throw new IllegalArgumentException("roots: no certificate (expected: the Azure root CAs)");
    }
    if (!DNS_NAME.matcher(signerName).matches()) {
      throw new IllegalArgumentException("signer_name: '" + signerName + "' (expected: a lower-case DNS name such as "
          + DEFAULT_SIGNER_NAME + ")");
    }
    if (subscriptions.isEmpty()) {
      // Every Azure VM in the world can get a validly signed document: without this list, any of them would pass.
      throw new IllegalArgumentException("subscriptions: empty (expected: the Azure subscription IDs allowed to attest)");
    }
  }

  /** Settings from lists, as configuration gives them (duplicates are harmless). */
  public static AzureImdsSettings of(
      Collection<X509Certificate> roots,
      List<X509Certificate> intermediates,
      String signerName,
      Collection<String> subscriptions,
      Collection<String> vmIds) {
    // HashSet, not Set.copyOf: a null entry must reach the GUID check and its message, not an NPE.
    return new AzureImdsSettings(new HashSet<>(roots), intermediates, signerName, new HashSet<>(subscriptions),
        new HashSet<>(vmIds));
  }

  private static Set<String> guids(Collection<String> ids, String key) {
    for (String id : requireNonNull(ids, key)) {
      if (id == null || !AttestedData.isGuid(id)) {
        throw new IllegalArgumentException(key + ": '" + id + "' is not a GUID");
      }
    }
    return ids.stream().map(id -> id.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
  }
}
