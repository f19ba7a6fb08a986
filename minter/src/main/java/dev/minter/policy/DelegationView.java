package dev.minter.policy;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Who delegated to the caller, as the policy reads it ({@code delegation.*} in conditions).
 *
 * @param chain the delegators, first one first, <em>not</em> including the caller: empty for an undelegated task;
 *     {@code [human]} for a task a person delegated; {@code [agent]} or {@code [human, agent]} for a child task
 * @param scope the most the delegators handed on; the grant is policy(caller) ∩ scope. Empty when undelegated.
 */
public record DelegationView(List<Link> chain, Optional<Scope> scope) {
  /** An undelegated request. */
  public static final DelegationView NONE = new DelegationView(List.of(), Optional.empty());

  public DelegationView {
    chain = List.copyOf(requireNonNull(chain, "chain"));
    requireNonNull(scope, "scope");
  }

  /** The human (or system) at the head of the chain, if a person delegated. */
  public Optional<String> human() {
    return chain.isEmpty() || !chain.get(0).kind().equals(Link.HUMAN)
        ? Optional.empty()
        : Optional.of(chain.get(0).subject());
  }

  /** The agent that delegated directly to the caller (a child task's parent), if any. */
  public Optional<Link> parentAgent() {
    return chain.isEmpty() || !chain.getLast().kind().equals(Link.AGENT)
        ? Optional.empty()
        : Optional.of(chain.getLast());
  }

  /**
   * The whole chain of a task held by {@code agent}: every delegator, then that agent itself with its {@code task} and
   * the {@code rule} that allowed it — what audit records, BeginTask and operators show, and what a child inherits.
   */
  public List<Link> through(String agent, String task, String rule) {
    List<Link> whole = new ArrayList<>(chain);
    whole.add(Link.agent(agent, task, rule));
    return List.copyOf(whole);
  }

  /** How many agents stand between the first delegator and the caller: 0 for a top-level task, 1 for a child. */
  public int depth() {
    return (int) chain.stream().filter(l -> l.kind().equals(Link.AGENT)).count();
  }

  /**
   * One delegator.
   *
   * @param kind {@link #HUMAN} or {@link #AGENT}
   * @param subject the delegation token's {@code sub} for a human; the identity URI for an agent
   * @param task for an agent: the task it delegated from; empty for a human
   * @param rule for an agent: the policy rule that allowed that task; empty for a human
   */
  public record Link(String kind, String subject, String task, String rule) {
    public static final String HUMAN = "human";
    public static final String AGENT = "agent";

    public Link {
      requireNonNull(kind, "kind");
      if (!kind.equals(HUMAN) && !kind.equals(AGENT)) {
        throw new IllegalArgumentException("kind: " + kind + " (expected: human or agent)");
      }
      requireNonNull(subject, "subject");
      task = task == null ? "" : task;
      rule = rule == null ? "" : rule;
    }

    public static Link human(String subject) {
      return new Link(HUMAN, subject, "", "");
    }

    public static Link agent(String identity, String task, String rule) {
      return new Link(AGENT, identity, task, rule);
    }
  }

  /**
   * What the delegators handed on: the caller can be granted no more than this, whatever the policy says.
   *
   * @param roles the delegated role names
   * @param purposes the delegated purposes, as globs (an agent's grant lists exact purposes, which are globs too)
   * @param maxTtl the longest TTL delegated (for a child task: at most the parent's remaining time)
   */
  public record Scope(Set<String> roles, List<Glob> purposes, Optional<Duration> maxTtl) {
    public Scope {
      roles = Set.copyOf(requireNonNull(roles, "roles"));
      purposes = List.copyOf(requireNonNull(purposes, "purposes"));
      requireNonNull(maxTtl, "maxTtl");
    }

    public boolean allowsPurpose(String purpose) {
      return purposes.stream().anyMatch(g -> g.matches(purpose));
    }
  }
}
