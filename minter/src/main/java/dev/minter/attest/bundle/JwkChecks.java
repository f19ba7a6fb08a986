package dev.minter.attest.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import java.text.ParseException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The checks every key a trust source takes in must pass, whatever document it came in. */
final class JwkChecks {
  /** Key types understood; others are skipped, as RFC 7517 section 5 and the SPIFFE bundle spec require. */
  static final Set<String> PUBLIC_KEY_TYPES = Set.of("EC", "RSA", "OKP");
  /** Below this an RSA signature key is forgeable by a determined attacker; refuse rather than trust it. */
  static final int MIN_RSA_BITS = 2048;

  // Members that only exist in private (or secret) keys, per RFC 7518 section 6.
  private static final List<String> PRIVATE_MEMBERS = List.of("d", "p", "q", "dp", "dq", "qi", "oth", "k");

  private JwkChecks() {}

  /**
   * The public key {@code node} describes, or empty when its key type is one this source does not understand.
   *
   * @throws BundleFormatException when the entry is malformed or holds private or symmetric key material: a trust
   *     document that carries a private key has leaked it, and one with an {@code oct} key would let anyone who
   *     read the document forge tokens, so the whole document is refused rather than the entry skipped
   */
  static Optional<JWK> publicKey(JsonNode node, String where) throws BundleFormatException {
    if (!node.isObject()) {
      throw new BundleFormatException(where + " is not a JSON object");
    }
    rejectSecrets(node, where);
    JsonNode kty = node.get("kty");
    if (kty == null || !kty.isTextual()) {
      throw new BundleFormatException(where + " has no string 'kty'");
    }
    if ("oct".equals(kty.textValue())) {
      throw new BundleFormatException(where + " is a symmetric ('oct') key; only public keys are accepted");
    }
    if (!PUBLIC_KEY_TYPES.contains(kty.textValue())) {
      return Optional.empty();
    }
    JsonNode kid = node.get("kid");
    if (kid != null && (!kid.isTextual() || kid.textValue().isEmpty())) {
      throw new BundleFormatException(where + " has a 'kid' that is not a non-empty string");
    }
    JWK jwk;
    try {
      jwk = JWK.parse(node.toString());
    } catch (ParseException | RuntimeException e) {
      throw new BundleFormatException(where + " is not a valid " + kty.textValue() + " JWK: " + e.getMessage());
    }
    if (jwk.isPrivate()) {
      throw new BundleFormatException(where + " holds private key material");
    }
    if (jwk instanceof RSAKey rsa && rsa.size() < MIN_RSA_BITS) {
      throw new BundleFormatException(where + " is a " + rsa.size() + "-bit RSA key (expected: at least "
          + MIN_RSA_BITS + " bits)");
    }
    return Optional.of(jwk);
  }

  /**
   * Refuses an entry carrying private or secret key members, even one the caller would otherwise skip (unknown
   * key type or use): a document that leaks a private key comes from a publisher that is badly broken.
   */
  static void rejectSecrets(JsonNode node, String where) throws BundleFormatException {
    for (String member : PRIVATE_MEMBERS) {
      if (node.has(member)) {
        throw new BundleFormatException(where + " holds private or secret key material ('" + member + "')");
      }
    }
  }
}
