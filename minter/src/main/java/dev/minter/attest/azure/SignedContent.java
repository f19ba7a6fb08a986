package dev.minter.attest.azure;

import static java.util.Objects.requireNonNull;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The content of a PKCS#7 SignedData whose one signature has verified with {@code signer}'s key. Nothing about the
 * signer's trustworthiness is known yet: that is the path check's job.
 *
 * @param content exactly the bytes the signature covers
 * @param signer the certificate whose key verified the signature
 * @param certificates every certificate the PKCS#7 carried (untrusted candidates for path building)
 */
public record SignedContent(byte[] content, X509Certificate signer, List<X509Certificate> certificates) {
  public SignedContent {
    content = requireNonNull(content, "content").clone();
    requireNonNull(signer, "signer");
    certificates = List.copyOf(requireNonNull(certificates, "certificates"));
  }

  @Override
  public byte[] content() {
    return content.clone();
  }
}
