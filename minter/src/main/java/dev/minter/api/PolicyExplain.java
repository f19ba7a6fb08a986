package dev.minter.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Timestamp;
import dev.minter.attest.WorkloadIdentity;
import dev.minter.policy.AgentView;
import dev.minter.policy.Decision;
import dev.minter.policy.DelegationView;
import dev.minter.policy.Glob;
import dev.minter.policy.Policy;
import dev.minter.policy.PolicyContext;
import dev.minter.policy.PolicyEngine;
import dev.minter.policy.PolicyExplanation;
import dev.minter.policy.PolicyRequest;
import dev.minter.proto.v1.ExplainPolicyRequest;
import dev.minter.proto.v1.ExplainPolicyResponse;
import dev.minter.proto.v1.RuleTrace;
import dev.minter.task.TaskException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * ExplainPolicy, shared by the server's RPC and {@code minter policy explain --policy FILE}: both run this one
 * function over a {@link Policy}, so the offline answer is the server's answer for the same file.
 *
 * <p>The request carries the whole policy context a condition may read (claims, labels, delegation, agent record,
 * posture, time), so an operator can ask "what if" about any of it.
 */
public final class PolicyExplain {
  private static final ObjectMapper JSON = new ObjectMapper();

  private PolicyExplain() {}

  /** Explains how {@code engine} decides {@code request}, rule by rule; an unset {@code at} is the system clock. */
  public static ExplainPolicyResponse explain(PolicyEngine engine, ExplainPolicyRequest request) {
    return explain(engine, request, Clock.systemUTC());
  }

  /** Explains how {@code engine} decides {@code request}, rule by rule; an unset {@code at} is {@code clock}'s now. */
  public static ExplainPolicyResponse explain(PolicyEngine engine, ExplainPolicyRequest request, Clock clock) {
    if (!(engine instanceof Policy p)) {
      throw new TaskException(TaskException.Kind.NOT_OPEN, "the loaded policy engine cannot explain its decisions");
    }
    if (request.getIdentity().isBlank()) {
      throw new IllegalArgumentException("identity: empty (expected: an identity URI)");
    }
    Optional<Duration> ttl = request.hasTtl() ? Optional.of(duration(request.getTtl())) : Optional.empty();
    Instant now = request.hasAt() ? instant(request.getAt()) : clock.instant();
    String attestor = request.getAttestor().isBlank() ? "explain" : request.getAttestor();
    PolicyContext context =
        new PolicyContext(now, request.getLabelsMap(), agent(request), delegation(request), posture(request));
    PolicyRequest asked =
        new PolicyRequest(
            new WorkloadIdentity(request.getIdentity(), attestor, request.getClaimsMap()),
            request.getPurpose(),
            request.getRolesList(),
            ttl,
            context);
    return toProto(p.explain(asked)).toBuilder()
        .setPolicySha256(p.sha256())
        .setAt(Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
        .build();
  }

  private static AgentView agent(ExplainPolicyRequest r) {
    String status = r.getAgentStatus().isBlank() ? "active" : r.getAgentStatus();
    Optional<Instant> first = r.hasAgentFirstSeen() ? Optional.of(instant(r.getAgentFirstSeen())) : Optional.empty();
    Optional<Instant> last = r.hasAgentLastSeen() ? Optional.of(instant(r.getAgentLastSeen())) : first;
    return new AgentView(r.getAgentOwner(), status, first, last);
  }

  /**
   * The chain as far as the request tells it: the human, then {@code depth} agents of which the last is the parent
   * agent. Agents between them are unnamed in an explain request and appear as {@code (ancestor N)}.
   */
  private static DelegationView delegation(ExplainPolicyRequest r) {
    if (r.getDepth() < 0) {
      throw new IllegalArgumentException("depth: " + r.getDepth() + " (expected: >= 0)");
    }
    List<DelegationView.Link> chain = new ArrayList<>();
    if (!r.getDelegator().isBlank()) {
      chain.add(DelegationView.Link.human(r.getDelegator()));
    }
    int depth = r.getDepth() == 0 && !r.getParentAgent().isBlank() ? 1 : r.getDepth();
    if (depth > 0 && r.getParentAgent().isBlank()) {
      throw new IllegalArgumentException("depth: " + depth + " (expected: a parent_agent when depth > 0)");
    }
    for (int i = 1; i < depth; i++) {
      chain.add(DelegationView.Link.agent("(ancestor " + i + ")", "", ""));
    }
    if (depth > 0) {
      chain.add(DelegationView.Link.agent(r.getParentAgent(), "", ""));
    }
    Optional<DelegationView.Scope> scope = Optional.empty();
    if (r.getScopeRolesCount() > 0) {
      List<Glob> purposes = r.getScopePurposesCount() == 0
          ? List.of(Glob.compile("**"))
          : r.getScopePurposesList().stream().map(Glob::compile).toList();
      Optional<Duration> max = r.hasScopeMaxTtl() ? Optional.of(duration(r.getScopeMaxTtl())) : Optional.empty();
      scope = Optional.of(new DelegationView.Scope(new HashSet<>(r.getScopeRolesList()), purposes, max));
    }
    return new DelegationView(chain, scope);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> posture(ExplainPolicyRequest r) {
    if (r.getPostureJson().isBlank()) {
      return Map.of();
    }
    try {
      Object parsed = JSON.readValue(r.getPostureJson(), Object.class);
      if (!(parsed instanceof Map<?, ?> m)) {
        throw new IllegalArgumentException("posture_json: not a JSON object");
      }
      // Map.copyOf in PolicyContext refuses null values: a JSON null signal is the same as an absent one.
      Map<String, Object> signals = new java.util.LinkedHashMap<>((Map<String, Object>) m);
      signals.values().removeIf(v -> v == null);
      return signals;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("posture_json: not valid JSON (" + e.getOriginalMessage() + ")", e);
    }
  }

  private static Duration duration(com.google.protobuf.Duration d) {
    return Duration.ofSeconds(d.getSeconds(), d.getNanos());
  }

  private static Instant instant(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }

  static ExplainPolicyResponse toProto(PolicyExplanation explanation) {
    ExplainPolicyResponse.Builder b = ExplainPolicyResponse.newBuilder().setAllowed(explanation.allowed());
    switch (explanation.decision()) {
      case Decision.Allow a -> b.setRule(a.grant().rule()).setReason("allowed by rule '" + a.grant().rule() + "'");
      case Decision.Deny d -> b.setRule(d.rule()).setReason(d.reason());
    }
    explanation.malformed().ifPresent(b::setMalformed);
    for (PolicyExplanation.RuleTrace t : explanation.rules()) {
      b.addRules(
          RuleTrace.newBuilder()
              .setRule(t.rule())
              .setApplies(t.applies())
              .addAllChecks(t.checks())
              .setAllows(t.allows()));
    }
    return b.build();
  }
}
