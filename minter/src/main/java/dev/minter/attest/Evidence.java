package dev.minter.attest;

import static java.util.Objects.requireNonNull;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * What a caller presented to prove its identity on one call.
 *
 * @param kind the attestor kind the evidence is for (e.g. {@code x509_svid}, {@code jwt_svid})
 * @param payload the raw document for request-carried kinds; empty for the TLS client certificate
 * @param peerChain the TLS client certificate chain, leaf first; empty when the caller sent none
 */
public record Evidence(String kind, byte[] payload, List<X509Certificate> peerChain) {
  public Evidence {
    requireNonNull(kind, "kind");
    payload = requireNonNull(payload, "payload").clone();
    peerChain = List.copyOf(requireNonNull(peerChain, "peerChain"));
  }

  /** Evidence that is the TLS client certificate chain. */
  public static Evidence tlsClientChain(List<X509Certificate> chain) {
    return new Evidence(X509SvidAttestor.KIND, new byte[0], chain);
  }

  @Override
  public byte[] payload() {
    return payload.clone();
  }

  @Override
  public String toString() {
    // Evidence may be a bearer token: never print the payload.
    return "Evidence[kind=" + kind + ", payload=" + payload.length + " bytes, peerChain=" + peerChain.size() + "]";
  }
}
