package dev.minter.ledger;

import java.util.Optional;

/**
 * Which agents {@link Agents#list} returns; empty parts match anything.
 *
 * @param owner exact owner
 * @param state exact state
 * @param withoutOwner only agents nobody has registered an owner for
 */
public record AgentFilter(Optional<String> owner, Optional<AgentState> state, boolean withoutOwner) {
  public static final AgentFilter ALL = new AgentFilter(Optional.empty(), Optional.empty(), false);

  public AgentFilter {
    owner = owner == null ? Optional.empty() : owner.filter(o -> !o.isBlank());
    state = state == null ? Optional.empty() : state;
  }
}
