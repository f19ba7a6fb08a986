package dev.minter.attest.jwt;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import java.text.ParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns a JWK set (a plain JWKS, or a SPIFFE bundle whose keys say {@code "use": "jwt-svid"} or {@code "x509-svid"})
 * into the keys that may verify JWTs, by {@code kid}. Refuses sets that could only be a mistake, so a bad trust file
 * fails loudly instead of silently trusting the wrong thing.
 */
public final class TrustedKeys {
  /** The SPIFFE bundle's key use for JWT authorities (SPIFFE Trust Domain and Bundle spec, section 4.2.2). */
  public static final String JWT_SVID_USE = "jwt-svid";
  /** The SPIFFE bundle's key use for X.509 authorities: never a JWT signer. */
  public static final String X509_SVID_USE = "x509-svid";
  /** Far above any real JWKS; bounds what a trust file or endpoint can make us parse. */
  public static final int MAX_BYTES = 512 * 1024;

  private TrustedKeys() {}

  /**
   * Parses {@code json} and keeps the keys that may verify JWTs.
   *
   * @param source where the keys came from, for messages
   * @throws ParseException naming the problem when the set is unusable
   */
  public static Map<String, JWK> parse(String json, String source) throws ParseException {
    if (json.length() > MAX_BYTES) {
      throw new ParseException(source + " is " + json.length() + " characters (expected: <= " + MAX_BYTES + ")", 0);
    }
    return of(JWKSet.parse(json), source);
  }

  /** The keys of {@code set} that may verify JWTs, by {@code kid}. */
  public static Map<String, JWK> of(JWKSet set, String source) throws ParseException {
    if (set.containsNonPublicKeys()) {
      // A private key in a trust file means a signing key was copied where it does not belong: refuse, loudly.
      throw new ParseException(source + " holds a private key (trust files must hold public keys only)", 0);
    }
    Map<String, JWK> keys = new LinkedHashMap<>();
    for (JWK key : set.getKeys()) {
      String use = key.getKeyUse() == null ? null : key.getKeyUse().getValue();
      if (X509_SVID_USE.equals(use)) {
        continue; // an X.509 authority of the trust domain; it must never vouch for a JWT
      }
      if (key.getKeyID() == null || key.getKeyID().isEmpty()) {
        continue; // Minter selects keys by kid only; a key without one could never be chosen
      }
      if (keys.put(key.getKeyID(), JWT_SVID_USE.equals(use) ? asSignatureKey(key) : key) != null) {
        throw new ParseException(source + " has two keys with kid '" + key.getKeyID() + "' (ambiguous)", 0);
      }
    }
    if (keys.isEmpty()) {
      throw new ParseException(source + " holds no JWT signing key with a kid", 0);
    }
    return Map.copyOf(keys);
  }

  /** A SPIFFE {@code jwt-svid} key as an ordinary signature key, so the verifier's key-use check applies. */
  private static JWK asSignatureKey(JWK key) {
    if (key instanceof RSAKey rsa) {
      return new RSAKey.Builder(rsa).keyUse(KeyUse.SIGNATURE).build();
    }
    if (key instanceof ECKey ec) {
      return new ECKey.Builder(ec).keyUse(KeyUse.SIGNATURE).build();
    }
    return key; // other key types cannot verify RS/PS/ES tokens anyway; the verifier says so
  }
}
