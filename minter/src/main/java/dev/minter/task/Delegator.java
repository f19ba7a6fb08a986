package dev.minter.task;

import static dev.minter.task.TaskException.Kind.DENIED;
import static dev.minter.task.TaskException.Kind.INVALID;
import static dev.minter.task.TaskException.Kind.NOT_FOUND;
import static dev.minter.task.TaskException.Kind.NOT_OPEN;
import static dev.minter.task.TaskException.Kind.QUOTA;

import dev.minter.attest.SpiffeId;
import dev.minter.attest.WorkloadIdentity;
import dev.minter.audit.AuditEvent;
import dev.minter.audit.AuditLog;
import dev.minter.delegation.GrantClaims;
import dev.minter.delegation.GrantTokens;
import dev.minter.ledger.AgentRecord;
import dev.minter.ledger.Agents;
import dev.minter.ledger.GrantRecord;
import dev.minter.ledger.Ledger;
import dev.minter.ledger.TaskRecord;
import dev.minter.ledger.TaskState;
import dev.minter.policy.Decision;
import dev.minter.policy.DelegationView;
import dev.minter.policy.PolicyContext;
import dev.minter.policy.PolicyEngine;
import dev.minter.policy.PolicyRequest;
import dev.minter.policy.Quotas;
import dev.minter.vault.Secret;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code Delegate}: the holder of an open task hands part of it to a named sub-agent as a signed, single-use grant.
 *
 * <p>What is handed on is never more than the task has <em>now</em>: the policy is asked again for the task's agent,
 * purpose and the delegated roles (as at MintCredential); the roles are a subset of the task's; each purpose is the
 * task's own or one the policy allows the task's agent for those roles now; the TTL fits in the task's remaining
 * time. Depth and fan-out are capped by the policy's quotas, or by {@link #DEFAULT_MAX_DEPTH} and
 * {@link #DEFAULT_MAX_FAN_OUT} when the policy sets none, so an agent cannot fork an unbounded tree of tasks.
 *
 * <p>Ordering as everywhere: the {@code task.delegate} intent record is durable before the grant exists, and the
 * grant is handed out only after its outcome record is durable. Audit records name the grant's id, never its JWS.
 */
public final class Delegator {
  /** How many agents may stand between the first delegator and a child task when the policy sets no limit. */
  public static final int DEFAULT_MAX_DEPTH = 3;
  /** How many children (open, or grants not yet redeemed) one task may have when the policy sets no limit. */
  public static final int DEFAULT_MAX_FAN_OUT = 10;
  /** How long a grant may wait for its sub-agent by default. */
  public static final Duration DEFAULT_GRANT_WINDOW = Duration.ofMinutes(5);

  static final String EVENT = "task.delegate";
  private static final Logger log = LoggerFactory.getLogger(Delegator.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Supplier<PolicyEngine> policy;
  private final Ledger ledger;
  private final Agents agents;
  private final AuditLog audit;
  private final Inventory inventory;
  private final PolicyContexts contexts;
  private final Delegations delegations;
  private final GrantTokens tokens;
  private final List<TaskGuard> guards;
  private final Clock clock;
  // Counting a task's fan-out and recording a new grant must be one step, or two racing calls both fit under the cap.
  private final ReentrantLock fanOut = new ReentrantLock();

  public Delegator(
      Supplier<PolicyEngine> policy,
      Ledger ledger,
      Agents agents,
      AuditLog audit,
      Inventory inventory,
      PolicyContexts contexts,
      Delegations delegations,
      GrantTokens tokens,
      List<TaskGuard> guards,
      Clock clock) {
    this.guards = List.copyOf(guards);
    this.policy = policy;
    this.ledger = ledger;
    this.agents = agents;
    this.audit = audit;
    this.inventory = inventory;
    this.contexts = contexts;
    this.delegations = delegations;
    this.tokens = tokens;
    this.clock = clock;
  }

  /** Issues a grant of part of {@code caller}'s open task to {@code command.subAgent()}. */
  public DelegatedGrant delegate(WorkloadIdentity caller, DelegateCommand command) {
    try {
      return delegateChecked(caller, command);
    } catch (TaskException e) {
      // Denials and quota refusals are audited where they are decided, with the rule or the limit.
      if (e.kind() != DENIED && e.kind() != QUOTA) {
        audit.append(
            TaskAudit.base(EVENT, caller)
                .task(command.taskId().length() <= TaskRequests.MAX_ID_LENGTH ? command.taskId() : null)
                .decision(e.kind().name().toLowerCase())
                .reason(e.getMessage())
                .build());
      }
      throw e;
    }
  }

  private DelegatedGrant delegateChecked(WorkloadIdentity caller, DelegateCommand command) {
    check(caller, command);
    String roles = String.join(",", command.roles());
    inventory.seen(caller);
    inventory.requireActive(caller, EVENT, command.taskId(), null, roles);
    TaskRecord parent = ledger.findTask(command.taskId())
        .orElseThrow(() -> new TaskException(NOT_FOUND, "task " + command.taskId() + " not found"));
    if (!parent.agent().equals(caller.id())) {
      throw deny(caller, parent, roles, "task-owner", "task " + parent.taskId() + " belongs to another identity");
    }
    Instant now = clock.instant();
    if (parent.state() != TaskState.OPEN) {
      throw new TaskException(NOT_OPEN, "task " + parent.taskId() + " is " + parent.state().name().toLowerCase());
    }
    if (!now.isBefore(parent.expiresAt())) {
      throw new TaskException(NOT_OPEN, "task " + parent.taskId() + " expired at " + parent.expiresAt());
    }
    for (String role : command.roles()) {
      if (!parent.roles().contains(role)) {
        throw deny(caller, parent, role, parent.rule(),
            "role '" + role + "' was not granted to task " + parent.taskId() + " (granted: " + parent.roles() + ")");
      }
    }
    Duration remaining = Duration.between(now, parent.expiresAt());
    PolicyEngine engine = policy.get();
    DelegationView view = delegations.viewOf(parent);
    PolicyContext context = contexts.of(caller, parent.labels(), view);
    // Runtime policy: what is handed on must still be allowed to the task's own agent, now.
    List<String> purposes = command.purposes().isEmpty() ? List.of(parent.purpose()) : command.purposes();
    for (String purpose : purposes) {
      if (view.scope().isPresent() && !view.scope().get().allowsPurpose(purpose)) {
        throw deny(caller, parent, roles, "delegation",
            "purpose '" + purpose + "' is outside what was delegated to task " + parent.taskId());
      }
      Decision decision =
          engine.decide(new PolicyRequest(caller, purpose, command.roles(), Optional.of(remaining), context));
      if (decision instanceof Decision.Deny deny) {
        throw deny(caller, parent, roles, deny.rule(),
            "denied by policy rule '" + deny.rule() + "' for purpose '" + purpose + "': " + deny.reason());
      }
    }
    Duration maxTtl = Duration.ofSeconds(command.ttl().orElse(remaining).toSeconds());
    if (command.ttl().isPresent() && command.ttl().get().compareTo(remaining) > 0) {
      throw deny(caller, parent, roles, "delegation",
          "ttl " + command.ttl().get() + " exceeds the remaining time " + remaining.truncatedTo(ChronoUnit.SECONDS)
              + " of task " + parent.taskId());
    }
    if (maxTtl.toSeconds() < 1) {
      throw new TaskException(NOT_OPEN, "task " + parent.taskId() + " expires in less than a second");
    }
    Quotas quotas = engine.quotas(caller, owner(caller));
    // Depth and fan-out are per delegating task, so an owner-wide limit applies to each task like an agent one.
    Quotas.Limits limits = quotas.perAgent().tighter(quotas.perOwner());
    int depth = view.depth() + 1;
    int maxDepth = limits.maxDelegationDepth().orElse(DEFAULT_MAX_DEPTH);
    if (depth > maxDepth) {
      throw quota(caller, parent, "max_delegation_depth", depth, maxDepth);
    }
    int maxFanOut = limits.maxFanOut().orElse(DEFAULT_MAX_FAN_OUT);
    fanOut.lock();
    try {
      int fan = fanOut(parent, now);
      if (fan + 1 > maxFanOut) {
        throw quota(caller, parent, "max_fan_out", fan + 1, maxFanOut);
      }
      for (TaskGuard guard : guards) {
        guard.beforeDelegate(caller, parent, context, engine);
      }
      DelegatedGrant issued = issue(caller, command, parent, view, purposes, maxTtl, now);
      for (TaskGuard guard : guards) {
        guard.delegated(caller, parent);
      }
      return issued;
    } finally {
      fanOut.unlock();
    }
  }

  private DelegatedGrant issue(
      WorkloadIdentity caller, DelegateCommand command, TaskRecord parent, DelegationView view, List<String> purposes,
      Duration maxTtl, Instant now) {
    Instant issuedAt = now.truncatedTo(ChronoUnit.SECONDS);
    Instant parentEnd = parent.expiresAt().truncatedTo(ChronoUnit.SECONDS);
    Instant windowEnd = issuedAt.plus(tokens.window());
    Instant expiresAt = windowEnd.isBefore(parentEnd) ? windowEnd : parentEnd;
    if (!expiresAt.isAfter(issuedAt)) {
      throw new TaskException(NOT_OPEN, "task " + parent.taskId() + " expires in less than a second");
    }
    String grantId = nextGrantId();
    AuditEvent.Builder record =
        TaskAudit.base(EVENT, caller)
            .task(parent.taskId())
            .purpose(parent.purpose())
            .role(String.join(",", command.roles()))
            .rule(parent.rule())
            .decision("allow")
            .put("grant_id", grantId)
            .put("sub_agent", command.subAgent())
            .putList("roles", command.roles())
            .putList("purposes", purposes)
            .put("max_ttl_seconds", Long.toString(maxTtl.toSeconds()))
            .put("expires_at", expiresAt.toString())
            .putList("chain", Delegations.auditChain(parent.chain()));
    audit.append(record.copy().outcome("pending").build()); // write-ahead: durable before the grant exists
    GrantClaims claims =
        new GrantClaims(grantId, parent.taskId(), command.subAgent(), command.roles(), purposes, maxTtl, issuedAt,
            expiresAt);
    Secret grant;
    try {
      ledger.insertGrant(GrantRecord.issued(claims));
      grant = tokens.sign(claims);
    } catch (RuntimeException e) {
      auditQuietly(record.copy().outcome("failed").reason(e.getMessage()).build());
      throw e;
    }
    // Unaudited, the grant is never returned; its ledger row alone opens nothing (nobody holds the JWS).
    audit.append(record.copy().outcome("ok").build());
    log.info("task {} delegated {} to {} (grant {}, max ttl {})", parent.taskId(), command.roles(), command.subAgent(),
        grantId, maxTtl);
    return new DelegatedGrant(grant, grantId, expiresAt, command.roles(), purposes, maxTtl);
  }

  /** The task's children that are still open, plus its grants nobody has redeemed yet and that can still be. */
  private int fanOut(TaskRecord parent, Instant now) {
    // Counted by the ledger: listing the children would decrypt the token of every child the task ever had.
    return ledger.countOpenChildren(parent.taskId(), now) + ledger.pendingGrants(parent.taskId(), now);
  }

  private Optional<String> owner(WorkloadIdentity caller) {
    return agents.findAgent(caller.id()).map(AgentRecord::owner).filter(o -> !o.isBlank());
  }

  private static void check(WorkloadIdentity caller, DelegateCommand command) {
    TaskRequests.checkId("task_id", command.taskId());
    try {
      SpiffeId.parse(command.subAgent());
    } catch (IllegalArgumentException e) {
      throw new TaskException(INVALID, "sub_agent: " + e.getMessage() + " (expected: an identity URI)");
    }
    if (command.subAgent().equals(caller.id())) {
      throw new TaskException(INVALID, "sub_agent: the caller itself (expected: another identity)");
    }
    checkList("roles", command.roles(), TaskRequests.MAX_ID_LENGTH, false);
    checkList("purposes", command.purposes(), TaskRequests.MAX_PURPOSE_LENGTH, true);
    for (String purpose : command.purposes()) {
      if (purpose.contains("*")) {
        // A grant's purposes become exact globs in the child's scope: a '*' would widen instead of name.
        throw new TaskException(INVALID, "purposes: '" + purpose + "' contains '*' (expected: exact purposes)");
      }
    }
    command.ttl().ifPresent(TaskRequests::checkTtl);
  }

  private static void checkList(String what, List<String> values, int maxLength, boolean mayBeEmpty) {
    if (values.isEmpty() && !mayBeEmpty) {
      throw new TaskException(INVALID, what + ": [] (expected: at least one)");
    }
    if (values.size() > TaskRequests.MAX_ROLES) {
      throw new TaskException(INVALID, what + ": " + values.size() + " (expected: <= " + TaskRequests.MAX_ROLES + ")");
    }
    if (new HashSet<>(values).size() != values.size()) {
      throw new TaskException(INVALID, what + ": " + values + " (expected: no duplicates)");
    }
    for (String value : values) {
      TaskRequests.checkText(what, value, maxLength);
    }
  }

  private TaskException deny(WorkloadIdentity caller, TaskRecord parent, String role, String rule, String reason) {
    audit.append(
        TaskAudit.base("policy.deny", caller)
            .task(parent.taskId())
            .purpose(parent.purpose())
            .role(role)
            .rule(rule)
            .decision("deny")
            .reason(reason)
            .put("action", EVENT)
            .build());
    return new TaskException(DENIED, reason);
  }

  private TaskException quota(WorkloadIdentity caller, TaskRecord parent, String limit, int value, int max) {
    String reason = "delegation " + limit + " exceeded: " + value + " (max " + max + ") for task " + parent.taskId();
    audit.append(
        TaskAudit.base("quota.exceeded", caller)
            .task(parent.taskId())
            .decision("deny")
            .put("action", EVENT)
            .put("limit", limit)
            .put("value", Integer.toString(value))
            .put("max", Integer.toString(max))
            .reason(reason)
            .build());
    return new TaskException(QUOTA, reason);
  }

  private void auditQuietly(AuditEvent event) {
    try {
      audit.append(event);
    } catch (RuntimeException e) {
      log.error("could not write audit record {} after a failure: {}", event.event(), e.toString());
    }
  }

  private static String nextGrantId() {
    byte[] bytes = new byte[12];
    RANDOM.nextBytes(bytes);
    return "grt_" + java.util.HexFormat.of().formatHex(bytes);
  }
}
