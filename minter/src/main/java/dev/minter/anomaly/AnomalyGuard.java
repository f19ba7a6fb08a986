package dev.minter.anomaly;

import static java.util.Objects.requireNonNull;

import dev.minter.attest.AttestationResult;
import dev.minter.attest.WorkloadIdentity;
import dev.minter.audit.AuditEvent;
import dev.minter.audit.AuditLog;
import dev.minter.ledger.TaskRecord;
import dev.minter.policy.AnomalyAction;
import dev.minter.policy.Grant;
import dev.minter.policy.PolicyContext;
import dev.minter.policy.PolicyEngine;
import dev.minter.task.BeginTaskCommand;
import dev.minter.task.RequestIds;
import dev.minter.task.TaskException;
import dev.minter.task.TaskGuard;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the {@link AnomalyDetector} on every BeginTask and MintCredential the policy allowed, and applies what the
 * policy says each anomaly means. Every anomaly is written as an {@code anomaly.<kind>} audit record (identity,
 * task, role, purpose, baseline, observation, action, decision) and counted in {@code minter_anomalies_total{kind,
 * action}} before anything is decided, so even an alert-only policy leaves a trail.
 *
 * <ul>
 *   <li>{@code alert}: the call goes on.
 *   <li>{@code deny}: the call is refused (PERMISSION_DENIED, rule {@code anomaly.<kind>}).
 *   <li>{@code require_delegation}: refused unless a human delegated the task (its chain starts with a human).
 * </ul>
 *
 * Only calls that went ahead are learned ({@link #begun}, {@link #minted}): a refused call must not teach the
 * baseline that it is normal — whether this guard, a later guard (quotas) or Vault refused it. So this guard may
 * run before the quota guard, which wants to be last.
 */
public final class AnomalyGuard implements TaskGuard {
  private static final Logger log = LoggerFactory.getLogger(AnomalyGuard.class);

  private final AnomalyDetector detector;
  private final AuditLog audit;
  private final MeterRegistry metrics;
  private final Supplier<PolicyEngine> policy;

  public AnomalyGuard(AnomalyDetector detector, AuditLog audit, MeterRegistry metrics, Supplier<PolicyEngine> policy) {
    this.detector = requireNonNull(detector, "detector");
    this.audit = requireNonNull(audit, "audit");
    this.metrics = requireNonNull(metrics, "metrics");
    this.policy = requireNonNull(policy, "policy");
  }

  @Override
  public void beforeBegin(
      WorkloadIdentity caller, BeginTaskCommand command, Grant grant, PolicyContext context, PolicyEngine engine) {
    Activity activity = Activity.begin(caller.id(), command.roles(), command.purpose());
    List<Anomaly> found = detector.check(activity, engine.anomalySettings());
    apply(caller, null, String.join(",", command.roles()), command.purpose(), found, context, engine);
    detector.raised(found);
  }

  @Override
  public void beforeMint(
      WorkloadIdentity caller, TaskRecord task, String role, PolicyContext context, PolicyEngine engine) {
    Activity activity = Activity.mint(caller.id(), role, task.purpose());
    List<Anomaly> found = detector.check(activity, engine.anomalySettings());
    apply(caller, task.taskId(), role, task.purpose(), found, context, engine);
    detector.raised(found);
  }

  @Override
  public void begun(WorkloadIdentity caller, TaskRecord task) {
    learnQuietly(Activity.begin(caller.id(), task.roles(), task.purpose()));
    metrics.counter("minter.tasks.begun").increment();
  }

  @Override
  public void minted(WorkloadIdentity caller, TaskRecord task, String role) {
    learnQuietly(Activity.mint(caller.id(), role, task.purpose()));
    metrics.counter("minter.credentials.minted", "role", role).increment();
  }

  /**
   * Before {@code caller} hands a delegation grant from {@code parent} to a sub-agent: checks fan-out and applies the
   * policy's action (may throw DENIED). The Delegate code calls this, then {@link #delegated} once the grant exists.
   */
  @Override
  public void beforeDelegate(WorkloadIdentity caller, TaskRecord parent, PolicyContext context, PolicyEngine engine) {
    Optional<Anomaly> found = detector.checkDelegation(caller.id(), parent.taskId(), engine.anomalySettings());
    if (found.isPresent()) {
      apply(caller, parent.taskId(), String.join(",", parent.roles()), parent.purpose(), List.of(found.get()), context,
          engine);
      detector.raisedDelegation(caller.id(), parent.taskId());
    }
  }

  /** After {@code caller} issued a delegation grant from {@code parent}. Never throws. */
  @Override
  public void delegated(WorkloadIdentity caller, TaskRecord parent) {
    try {
      detector.learnDelegation(caller.id(), parent.taskId());
    } catch (RuntimeException e) {
      log.warn("anomaly detector could not learn a delegation by {}: {}", caller.id(), e.toString());
    }
  }

  /**
   * A rejected attestation (from the gRPC interceptor). The caller has no verified identity, so failures are counted
   * per peer address (host only: ports change per connection). The call is refused already; every action only
   * audits and counts for this kind. {@code requestId} ties the anomaly record to the {@code attest.reject} one.
   */
  public void attestationRejected(AttestationResult.Rejected rejected, SocketAddress peer, String requestId) {
    metrics.counter("minter.attestation.rejected", "failure", rejected.failure().name().toLowerCase(Locale.ROOT))
        .increment();
    String source = peer instanceof InetSocketAddress inet && inet.getAddress() != null
        ? inet.getAddress().getHostAddress()
        : String.valueOf(peer);
    PolicyEngine engine = policy.get();
    String latest = rejected.kind() + " " + rejected.failure().name().toLowerCase(Locale.ROOT);
    detector.attestationFailed(source, latest, engine.anomalySettings()).ifPresent(anomaly -> {
      AnomalyAction action = engine.onAnomaly(anomaly.kind());
      audit.append(
          AuditEvent.of("anomaly." + anomaly.kind())
              .attestor(rejected.kind())
              .put("source", source)
              .rule("anomaly." + anomaly.kind())
              .put("baseline", anomaly.baseline())
              .put("observation", anomaly.observation())
              .put("action", name(action))
              .decision(action == AnomalyAction.ALERT ? "alert" : "deny")
              .requestId(requestId)
              .build());
      count(anomaly, action);
      log.warn("anomaly {} from {}", anomaly.describe(), source);
    });
  }

  /** Audits and counts each anomaly; then refuses the call if any anomaly's action says so. */
  private void apply(
      WorkloadIdentity caller,
      String taskId,
      String role,
      String purpose,
      List<Anomaly> found,
      PolicyContext context,
      PolicyEngine engine) {
    String refusal = null;
    Optional<String> human = context.delegation().human();
    for (Anomaly anomaly : found) {
      AnomalyAction action = engine.onAnomaly(anomaly.kind());
      String decision =
          switch (action) {
            case ALERT -> "alert";
            case DENY -> "deny";
            case REQUIRE_DELEGATION -> human.isPresent() ? "allow" : "deny";
          };
      String reason =
          switch (action) {
            case ALERT -> null;
            case DENY -> "anomaly " + anomaly.describe() + "; the policy denies it";
            case REQUIRE_DELEGATION -> human.isPresent()
                ? null
                : "anomaly " + anomaly.describe() + "; the policy requires a human delegation for it";
          };
      audit.append(
          AuditEvent.of("anomaly." + anomaly.kind())
              .identity(caller.id())
              .attestor(caller.attestorKind())
              .task(taskId)
              .role(role)
              .purpose(purpose)
              .rule("anomaly." + anomaly.kind())
              .put("baseline", anomaly.baseline())
              .put("observation", anomaly.observation())
              .put("action", name(action))
              .decision(decision)
              .put("delegated_by", action == AnomalyAction.REQUIRE_DELEGATION ? human.orElse(null) : null)
              .reason(reason)
              .requestId(RequestIds.current())
              .build());
      count(anomaly, action);
      log.warn("anomaly {} by {} → {}", anomaly.describe(), caller.id(), decision);
      if (reason != null && refusal == null) {
        refusal = reason;
      }
    }
    if (refusal != null) {
      // Audited above as anomaly.<kind> with decision deny; the task code does not audit DENIED again.
      throw new TaskException(TaskException.Kind.DENIED, refusal);
    }
  }

  private void count(Anomaly anomaly, AnomalyAction action) {
    Counter.builder("minter.anomalies")
        .description("Anomalies detected, by kind and the policy's action")
        .tag("kind", anomaly.kind())
        .tag("action", name(action))
        .register(metrics)
        .increment();
  }

  private void learnQuietly(Activity activity) {
    try {
      detector.learn(activity, policy.get().anomalySettings());
    } catch (RuntimeException e) {
      // Learning is bookkeeping after the fact: it must not fail a call whose credential is already issued.
      log.warn("anomaly detector could not learn a call by {}: {}", activity.identity(), e.toString());
    }
  }

  private static String name(AnomalyAction action) {
    return action.name().toLowerCase(Locale.ROOT);
  }
}
