package dev.minter.api;

import dev.minter.attest.WorkloadIdentity;
import dev.minter.policy.Decision;
import dev.minter.policy.Policy;
import dev.minter.policy.PolicyEngine;
import dev.minter.policy.PolicyExplanation;
import dev.minter.policy.PolicyRequest;
import dev.minter.proto.v1.ExplainPolicyRequest;
import dev.minter.proto.v1.ExplainPolicyResponse;
import dev.minter.proto.v1.RuleTrace;
import dev.minter.task.TaskException;
import java.time.Duration;
import java.util.Optional;

/**
 * ExplainPolicy, shared by the server's RPC and {@code minter policy explain --policy FILE}: both run this one
 * function over a {@link Policy}, so the offline answer is the server's answer for the same file.
 */
public final class PolicyExplain {
  private PolicyExplain() {}

  /** Explains how {@code engine} decides {@code request}, rule by rule. */
  public static ExplainPolicyResponse explain(PolicyEngine engine, ExplainPolicyRequest request) {
    if (!(engine instanceof Policy p)) {
      throw new TaskException(TaskException.Kind.NOT_OPEN, "the loaded policy engine cannot explain its decisions");
    }
    if (request.getIdentity().isBlank()) {
      throw new IllegalArgumentException("identity: empty (expected: an identity URI)");
    }
    Optional<Duration> ttl =
        request.hasTtl()
            ? Optional.of(Duration.ofSeconds(request.getTtl().getSeconds(), request.getTtl().getNanos()))
            : Optional.empty();
    PolicyRequest asked =
        new PolicyRequest(
            new WorkloadIdentity(request.getIdentity(), "explain", request.getClaimsMap()),
            request.getPurpose(),
            request.getRolesList(),
            ttl);
    return toProto(p.explain(asked));
  }

  static ExplainPolicyResponse toProto(PolicyExplanation explanation) {
    ExplainPolicyResponse.Builder b = ExplainPolicyResponse.newBuilder().setAllowed(explanation.allowed());
    switch (explanation.decision()) {
      case Decision.Allow a -> b.setRule(a.grant().rule()).setReason("allowed by rule '" + a.grant().rule() + "'");
      case Decision.Deny d -> b.setRule(d.rule()).setReason(d.reason());
    }
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
