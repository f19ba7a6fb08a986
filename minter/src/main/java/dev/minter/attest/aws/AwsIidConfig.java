package dev.minter.attest.aws;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code attestors.aws_iid} section. Relative certificate paths resolve against the configuration file.
 *
 * @param accounts AWS accounts whose instances may attest (required, non-empty: AWS signs documents for every
 *     account in the world, so the signature alone says nothing about whose instance it is)
 * @param regions regions instances may attest from; empty means every region that has a certificate
 * @param certificates AWS's RSA-2048 instance identity certificate per region, as AWS publishes them
 * @param defaultCertificate the certificate for regions not listed in {@code certificates}
 * @param maxInstanceAge refuse documents of instances started longer ago than this; null: no limit
 * @param allowReattestation the named weaker mode: do not pin documents per instance (see the attestor); never null
 *     after construction (unset means false)
 */
public record AwsIidConfig(
    @JsonProperty("accounts") List<String> accounts,
    @JsonProperty("regions") List<String> regions,
    @JsonProperty("certificates") Map<String, Path> certificates,
    @JsonProperty("default_certificate") Path defaultCertificate,
    @JsonProperty("max_instance_age") Duration maxInstanceAge,
    @JsonProperty("allow_reattestation") Boolean allowReattestation) {
  public AwsIidConfig {
    if (accounts == null || accounts.isEmpty()) {
      throw new IllegalArgumentException(
          "accounts: none (expected: the 12-digit AWS accounts whose instances may attest)");
    }
    accounts = List.copyOf(accounts);
    for (int i = 0; i < accounts.size(); i++) {
      if (accounts.get(i) == null || !IidDocument.ACCOUNT.matcher(accounts.get(i)).matches()) {
        throw new IllegalArgumentException(
            "accounts[" + i + "]: '" + accounts.get(i) + "' (expected: a 12-digit AWS account id, quoted)");
      }
    }
    regions = regions == null ? List.of() : List.copyOf(regions);
    for (int i = 0; i < regions.size(); i++) {
      requireRegion("regions[" + i + "]", regions.get(i));
    }
    certificates = certificates == null ? Map.of() : Map.copyOf(new TreeMap<>(certificates));
    for (String region : certificates.keySet()) {
      requireRegion("certificates." + region, region);
    }
    if (certificates.isEmpty() && defaultCertificate == null) {
      throw new IllegalArgumentException(
          "certificates: none (expected: certificates per region, or default_certificate: AWS's RSA-2048 "
              + "instance identity certificate)");
    }
    for (String region : regions) {
      if (!certificates.containsKey(region) && defaultCertificate == null) {
        throw new IllegalArgumentException(
            "regions: '" + region + "' has no certificate (expected: certificates." + region
                + " or default_certificate)");
      }
    }
    allowReattestation = Boolean.TRUE.equals(allowReattestation); // unset: the strict default
    if (maxInstanceAge != null && (maxInstanceAge.isNegative() || maxInstanceAge.isZero())) {
      throw new IllegalArgumentException("max_instance_age: " + maxInstanceAge + " (expected: > 0)");
    }
  }

  private static void requireRegion(String setting, String region) {
    if (region == null || !IidDocument.REGION.matcher(region).matches()) {
      throw new IllegalArgumentException(setting + ": '" + region + "' (expected: an AWS region such as us-east-1)");
    }
  }
}
