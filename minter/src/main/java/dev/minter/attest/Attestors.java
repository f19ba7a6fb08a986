package dev.minter.attest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The attestors enabled on this server, by kind, and the one entry point the API uses. Evidence of a kind that is
 * not enabled, or larger than {@link #MAX_EVIDENCE_BYTES}, is rejected before any parser sees it.
 */
public final class Attestors {
  /** No legitimate evidence (a JWT, a PKCS#7 document, a signed request) comes near this. */
  public static final int MAX_EVIDENCE_BYTES = 64 * 1024;

  private final Map<String, Attestor> byKind;

  public Attestors(Map<String, Attestor> byKind) {
    this.byKind = Map.copyOf(byKind);
  }

  /**
   * Builds the attestors {@code configs} enables: {@code x509_svid} whenever trust domains are configured, every other
   * kind when it has a section. An unknown section is an error (a typo must not silently disable a kind).
   */
  public static Attestors build(Map<String, JsonNode> configs, AttestorEnvironment env, boolean x509Enabled)
      throws Exception {
    Map<String, AttestorFactory> factories = new LinkedHashMap<>();
    BuiltInAttestors.ALL.forEach(f -> factories.put(f.kind(), f));
    for (String kind : configs.keySet()) {
      if (!factories.containsKey(kind)) {
        throw new IllegalArgumentException(
            "attestors." + kind + ": unknown kind (expected one of " + factories.keySet() + ")");
      }
    }
    Map<String, Attestor> enabled = new LinkedHashMap<>();
    for (AttestorFactory factory : factories.values()) {
      JsonNode config = configs.get(factory.kind());
      boolean on = config != null || (factory.kind().equals(X509SvidAttestor.KIND) && x509Enabled);
      if (on) {
        try {
          enabled.put(
              factory.kind(),
              factory.builder().build(config == null ? JsonNodeFactory.instance.objectNode() : config, env));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("attestors." + factory.kind() + ": " + e.getMessage(), e);
        }
      }
    }
    return new Attestors(enabled);
  }

  /** Checks {@code evidence} with the attestor of its kind. Never throws for bad evidence. */
  public AttestationResult attest(Evidence evidence) {
    Attestor attestor = byKind.get(evidence.kind());
    if (attestor == null && evidence.kind().equals(X509SvidAttestor.KIND) && evidence.peerChain().isEmpty()) {
      return new AttestationResult.Rejected(X509SvidAttestor.KIND, "no evidence of identity was presented");
    }
    if (attestor == null) {
      return AttestationResult.Rejected.malformed(
          evidence.kind().isEmpty() ? "unknown" : sanitize(evidence.kind()),
          "evidence kind '" + sanitize(evidence.kind()) + "' is not enabled on this server (enabled: " + kinds() + ")");
    }
    if (evidence.payload().length > MAX_EVIDENCE_BYTES) {
      return AttestationResult.Rejected.malformed(
          evidence.kind(), "evidence is " + evidence.payload().length + " bytes (expected: <= " + MAX_EVIDENCE_BYTES + ")");
    }
    return attestor.attest(evidence);
  }

  public Set<String> kinds() {
    return byKind.keySet();
  }

  private static String sanitize(String kind) {
    String s = kind.length() > 40 ? kind.substring(0, 40) + "…" : kind;
    return s.replaceAll("[^A-Za-z0-9_.-]", "?");
  }
}
