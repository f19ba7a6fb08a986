package dev.minter.task;

import static java.util.Objects.requireNonNull;

import dev.minter.attest.WorkloadIdentity;
import dev.minter.audit.AuditLog;
import dev.minter.ledger.Ledger;
import dev.minter.ledger.TaskRecord;
import dev.minter.policy.Grant;
import dev.minter.policy.PolicyContext;
import dev.minter.policy.PolicyEngine;
import dev.minter.policy.Quotas;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.ToIntFunction;

/**
 * Enforces the policy's quotas ({@link PolicyEngine#quotas}): max TTL and concurrent tasks before a task begins,
 * mints per minute before a credential is minted; per agent, and over all agents of the agent's owner.
 *
 * <p>Counts come from the ledger (open, unexpired tasks; leases issued in the last 60 s of the clock), so a restart
 * forgets nothing. Check and count are one step under a lock, and calls that passed the check but are not in the
 * ledger yet are counted as {@link InFlight}, so concurrent BeginTasks at the limit cannot all slip through in this
 * process. Replicas sharing one ledger each count only their own calls in flight; between them the window is the few
 * milliseconds from check to ledger row. Delegation depth and fan-out are enforced by the delegation code.
 */
public final class QuotaGuard implements TaskGuard {
  /** The audit event of a refusal. */
  public static final String QUOTA_EXCEEDED = "quota.exceeded";
  /** The sliding window of {@code max_mints_per_minute}. */
  static final Duration WINDOW = Duration.ofSeconds(60);
  /** How long a call that passed the check may take to reach the ledger before it stops counting as in flight. */
  static final Duration IN_FLIGHT = Duration.ofSeconds(30);

  private final Ledger ledger;
  private final AuditLog audit;
  private final Clock clock;
  private final ReentrantLock lock = new ReentrantLock(); // not synchronized: virtual threads must not pin
  private final InFlight beginning = new InFlight(IN_FLIGHT);
  private final InFlight minting = new InFlight(IN_FLIGHT);

  public QuotaGuard(Ledger ledger, AuditLog audit, Clock clock) {
    this.ledger = requireNonNull(ledger, "ledger");
    this.audit = requireNonNull(audit, "audit");
    this.clock = requireNonNull(clock, "clock");
  }

  @Override
  public void beforeBegin(
      WorkloadIdentity caller, BeginTaskCommand command, Grant grant, PolicyContext context, PolicyEngine policy) {
    Call call = new Call(caller, null, String.join(",", command.roles()), command.purpose(), owner(context));
    Quotas quotas = policy.quotas(caller, call.owner());
    ttl(call, grant.ttl(), quotas.perAgent(), "agent");
    ttl(call, grant.ttl(), quotas.perOwner(), "owner");
    Limit limit = new Limit("max_concurrent_tasks", "open tasks",
        quotas.perAgent().maxConcurrentTasks(), quotas.perOwner().maxConcurrentTasks());
    counted(call, limit, beginning, now -> ledger.countOpenTasks(caller.id(), now),
        now -> ledger.countOpenTasksOfOwner(call.owner().orElseThrow(), now));
  }

  @Override
  public void beforeMint(
      WorkloadIdentity caller, TaskRecord task, String role, PolicyContext context, PolicyEngine policy) {
    Call call = new Call(caller, task.taskId(), role, task.purpose(), owner(context));
    Quotas quotas = policy.quotas(caller, call.owner());
    Limit limit = new Limit("max_mints_per_minute", "credentials minted in the last 60s",
        quotas.perAgent().maxMintsPerMinute(), quotas.perOwner().maxMintsPerMinute());
    counted(call, limit, minting, now -> ledger.countMintsSince(caller.id(), now.minus(WINDOW)),
        now -> ledger.countMintsOfOwnerSince(call.owner().orElseThrow(), now.minus(WINDOW)));
  }

  @Override
  public void begun(WorkloadIdentity caller, TaskRecord task) {
    release(beginning, caller);
  }

  @Override
  public void minted(WorkloadIdentity caller, TaskRecord task, String role) {
    release(minting, caller);
  }

  /** One refusable call: who, on which task (none before it begins), for what. */
  private record Call(WorkloadIdentity caller, String task, String role, String purpose, Optional<String> owner) {}

  /** A counted limit: its name in the policy file, what it counts, and its per-agent and per-owner maximum. */
  private record Limit(String name, String counts, OptionalInt perAgent, OptionalInt perOwner) {}

  private void ttl(Call call, Duration ttl, Quotas.Limits limits, String scope) {
    Optional<Duration> max = limits.maxTtl();
    if (max.isPresent() && ttl.compareTo(max.get()) > 0 && (scope.equals("agent") || call.owner().isPresent())) {
      refuse(call, "max_ttl", scope, ttl.toSeconds(), max.get().toSeconds(),
          "ttl %s (max %s; ask for a ttl of at most %s)".formatted(ttl, max.get(), max.get()));
    }
  }

  private void counted(Call call, Limit limit, InFlight inFlight,
      ToIntFunction<Instant> agentCount, ToIntFunction<Instant> ownerCount) {
    OptionalInt perOwner = call.owner().isPresent() ? limit.perOwner() : OptionalInt.empty();
    if (limit.perAgent().isEmpty() && perOwner.isEmpty()) {
      return;
    }
    String agent = call.caller().id();
    lock.lock();
    try {
      Instant now = clock.instant();
      if (limit.perAgent().isPresent()) {
        int observed = agentCount.applyAsInt(now) + inFlight.ofAgent(agent, now);
        if (observed >= limit.perAgent().getAsInt()) {
          refuse(call, limit.name(), "agent", observed, limit.perAgent().getAsInt(),
              "%d %s (max %d)".formatted(observed, limit.counts(), limit.perAgent().getAsInt()));
        }
      }
      if (perOwner.isPresent()) {
        int observed = ownerCount.applyAsInt(now) + inFlight.ofOwner(call.owner().get(), now);
        if (observed >= perOwner.getAsInt()) {
          refuse(call, limit.name(), "owner", observed, perOwner.getAsInt(),
              "%d %s by its agents (max %d)".formatted(observed, limit.counts(), perOwner.getAsInt()));
        }
      }
      inFlight.add(agent, call.owner().orElse(""), now);
    } finally {
      lock.unlock();
    }
  }

  private void release(InFlight inFlight, WorkloadIdentity caller) {
    lock.lock();
    try {
      inFlight.release(caller.id());
    } finally {
      lock.unlock();
    }
  }

  /** Audits the refusal (so it is on record before the caller hears of it), then refuses. */
  private void refuse(Call call, String limit, String scope, long observed, long max, String detail) {
    String who = scope.equals("agent") ? "agent " + call.caller().id() : "owner " + call.owner().orElseThrow();
    String reason = "quota %s exceeded for %s: %s".formatted(limit, who, detail);
    audit.append(TaskAudit.base(QUOTA_EXCEEDED, call.caller())
        .task(call.task())
        .role(call.role())
        .purpose(call.purpose())
        .put("limit", limit)
        .put("scope", scope)
        .put("owner", call.owner().orElse(null))
        .put("observed", Long.toString(observed))
        .put("max", Long.toString(max))
        .decision("deny")
        .reason(reason)
        .build());
    throw new TaskException(TaskException.Kind.QUOTA, reason);
  }

  private static Optional<String> owner(PolicyContext context) {
    return Optional.of(context.agent().owner()).filter(o -> !o.isBlank());
  }
}
