package dev.minter.attest.azure;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.minter.tls.Pem;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The {@code attestors.azure_imds} section of Minter's configuration, as written (paths resolved against the
 * configuration file's folder). {@link #load} reads the files and checks every value.
 *
 * @param roots PEM file of the Azure root CAs the IMDS signing certificate chains to (required)
 * @param intermediates PEM file of Azure's intermediate CAs (optional; IMDS documents carry only the signer)
 * @param signerName the DNS name the signing certificate is issued for (default {@code metadata.azure.com})
 * @param subscriptions the Azure subscription IDs whose VMs may attest (required, non-empty)
 * @param vmIds if set, only these VM IDs may attest
 */
public record AzureImdsConfig(
    Path roots,
    Path intermediates,
    @JsonProperty("signer_name") String signerName,
    List<String> subscriptions,
    @JsonProperty("vm_ids") List<String> vmIds) {

  /** Reads the PEM files and validates; throws {@link IllegalArgumentException} naming the bad setting. */
  public AzureImdsSettings load() throws IOException {
    if (roots == null) {
      throw new IllegalArgumentException("roots: missing (expected: a PEM file of the Azure root CAs)");
    }
    return AzureImdsSettings.of(
        read(roots, "roots"),
        intermediates == null ? List.of() : read(intermediates, "intermediates"),
        signerName == null ? AzureImdsSettings.DEFAULT_SIGNER_NAME : signerName,
        subscriptions == null ? List.of() : subscriptions,
        vmIds == null ? List.of() : vmIds);
  }

  private static List<X509Certificate> read(Path file, String key) {
    try {
      return Pem.readCertificates(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(key + ": cannot read certificates from " + file + " (" + e.getMessage() + ")",
          e);
    }
  }
}
