package dev.minter.vault;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A task's Vault service token.
 *
 * @param token the token itself (secret)
 * @param accessor its accessor (not secret: it can look up and revoke, not use, the token)
 * @param expiresAt when Vault revokes it by itself
 */
public record TaskToken(Secret token, String accessor, Instant expiresAt) {
  public TaskToken {
    requireNonNull(token, "token");
    requireNonNull(accessor, "accessor");
    requireNonNull(expiresAt, "expiresAt");
  }
}
