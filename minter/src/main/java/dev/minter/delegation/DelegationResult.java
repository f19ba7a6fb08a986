package dev.minter.delegation;

import static java.util.Objects.requireNonNull;

import dev.minter.policy.DelegationView;
import java.time.Instant;

/** What {@link DelegationTokenVerifier#verify} found: {@link Accepted} or {@link Refused}. */
public sealed interface DelegationResult {

  /**
   * A genuine, fresh, unused token that names the caller as its actor.
   *
   * @param delegator the token's {@code sub}: the person (or system) who delegated
   * @param issuer the issuer that vouched for it
   * @param actor the agent it was issued to (equal to the caller)
   * @param scope what was delegated; its {@code maxTtl} is already the smaller of the token's remaining lifetime and
   *     its {@code max_ttl} claim
   * @param expiresAt the token's {@code exp}
   */
  record Accepted(String delegator, String issuer, String actor, DelegationView.Scope scope, Instant expiresAt)
      implements DelegationResult {
    public Accepted {
      requireNonNull(delegator, "delegator");
      requireNonNull(issuer, "issuer");
      requireNonNull(actor, "actor");
      requireNonNull(scope, "scope");
      requireNonNull(expiresAt, "expiresAt");
    }
  }

  /**
   * A token Minter will not honour.
   *
   * @param why which kind of refusal (decides the status the caller sees)
   * @param reason a short reason a person can act on; never contains the token
   */
  record Refused(Why why, String reason) implements DelegationResult {
    public Refused {
      requireNonNull(why, "why");
      requireNonNull(reason, "reason");
    }
  }

  /** Why a token is refused. */
  enum Why {
    /**
     * The token proves nothing: malformed, forged, from an untrusted issuer, for another audience, expired, not yet
     * valid, too long-lived or replayed.
     */
    UNAUTHENTICATED,
    /** A genuine token, but issued for another agent ({@code act.sub} / {@code may_act.sub} is not the caller). */
    FOREIGN_ACTOR
  }
}
