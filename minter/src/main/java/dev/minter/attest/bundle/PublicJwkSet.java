package dev.minter.attest.bundle;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import dev.minter.attest.jwt.JwkSource;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A JWK Set (RFC 7517) reduced to what a JWT verifier may use: public signature keys by key id.
 *
 * <p>{@link #parse} refuses the whole set when any entry holds private or symmetric ({@code oct}) key material,
 * when a key id repeats, or when no usable key is left; it skips entries a verifier cannot pick (no {@code kid}),
 * entries for encryption ({@code use: enc}) and key types it does not understand (RFC 7517 section 5).
 *
 * @param keys public signature keys by key id; never empty
 */
public record PublicJwkSet(Map<String, JWK> keys) implements JwkSource {
  public PublicJwkSet {
    keys = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(keys, "keys")));
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("keys: empty (expected: at least one public signature key)");
    }
    for (JWK k : keys.values()) {
      if (k.isPrivate()) {
        throw new IllegalArgumentException("keys: a private key cannot be a verification key");
      }
    }
  }

  /** Parses a JWKS document; see the class comment for what is refused and what is skipped. */
  public static PublicJwkSet parse(byte[] json) throws BundleFormatException {
    JsonNode root = JsonDocs.readObject(requireNonNull(json, "json"), "JWKS");
    JsonNode keys = root.get("keys");
    if (keys == null || !keys.isArray()) {
      throw new BundleFormatException("JWKS has no 'keys' array");
    }
    if (keys.size() > SpiffeBundle.MAX_KEYS) {
      throw new BundleFormatException("JWKS has " + keys.size() + " keys (expected: at most "
          + SpiffeBundle.MAX_KEYS + ")");
    }
    Map<String, JWK> byKid = new LinkedHashMap<>();
    for (int i = 0; i < keys.size(); i++) {
      Optional<JWK> parsed = JwkChecks.publicKey(keys.get(i), "JWKS key #" + i);
      if (parsed.isEmpty() || parsed.get().getKeyID() == null || KeyUse.ENCRYPTION.equals(parsed.get().getKeyUse())) {
        continue;
      }
      if (byKid.putIfAbsent(parsed.get().getKeyID(), parsed.get()) != null) {
        throw new BundleFormatException("JWKS key #" + i + " repeats key id "
            + JsonDocs.quote(parsed.get().getKeyID()));
      }
    }
    if (byKid.isEmpty()) {
      throw new BundleFormatException("JWKS holds no public signature key with a key id");
    }
    return new PublicJwkSet(byKid);
  }

  @Override
  public Optional<JWK> find(String kid) {
    return Optional.ofNullable(keys.get(kid));
  }

  @Override
  public String toString() {
    return "PublicJwkSet" + keys.keySet();
  }
}
