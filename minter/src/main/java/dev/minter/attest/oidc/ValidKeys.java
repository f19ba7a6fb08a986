package dev.minter.attest.oidc;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import java.time.Instant;
import java.util.Optional;

/** Key lookup that honours a key's own validity ({@code nbf}/{@code exp}, e.g. taken from its certificate). */
final class ValidKeys {
  private ValidKeys() {}

  /**
   * The key with id {@code kid} if it is valid at {@code now}. Google publishes its signing keys as certificates
   * with a validity period; a key past its certificate's end must not verify tokens even if a stale file still
   * holds it.
   */
  static Optional<JWK> find(JWKSet keys, String kid, Instant now) {
    JWK key = keys.getKeyByKeyId(kid);
    if (key == null) {
      return Optional.empty();
    }
    if (key.getExpirationTime() != null && !key.getExpirationTime().toInstant().isAfter(now)) {
      return Optional.empty();
    }
    if (key.getNotBeforeTime() != null && key.getNotBeforeTime().toInstant().isAfter(now)) {
      return Optional.empty();
    }
    return Optional.of(key);
  }
}
