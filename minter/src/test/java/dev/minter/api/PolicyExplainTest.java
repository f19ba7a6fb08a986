package dev.minter.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Timestamp;
import dev.minter.policy.Policy;
import dev.minter.policy.PolicyFile;
import dev.minter.proto.v1.ExplainPolicyRequest;
import dev.minter.proto.v1.ExplainPolicyResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** ExplainPolicy's request fields become the policy context conditions read, the same for server and CLI. */
class PolicyExplainTest {
  private static final Policy POLICY = PolicyFile.parse("""
      roles:
        r: {kind: database, path: database/creds/r, vault_policies: [p]}
      rules:
        - id: guarded
          identities: ["spiffe://corp.example/**"]
          roles: [r]
          purposes: ["**"]
          max_ttl: 1h
          when:
            - {name: attestor, expr: 'identity.attestor == "k8s_sat"'}
            - {name: label, expr: 'request.labels["ticket"] == "INC-1"'}
            - {name: chain, expr: 'delegation.human == "alice" && delegation.depth == 2 && delegation.parent_agent == "spiffe://corp.example/p"'}
            - {name: agent, expr: 'agent.known && agent.owner == "team" && agent.status == "active"'}
            - {name: posture, expr: 'posture.score < 50 && posture.device.os == "linux"'}
            - {name: time, expr: 'time.hour == 10'}
      """, "explain-api.yaml");
  private static final Clock TEN_OCLOCK = Clock.fixed(Instant.parse("2026-11-25T10:00:00Z"), ZoneOffset.UTC);

  private static ExplainPolicyRequest.Builder full() {
    return ExplainPolicyRequest.newBuilder()
        .setIdentity("spiffe://corp.example/agents/bot").setPurpose("incident:x").addRoles("r")
        .setAttestor("k8s_sat").putLabels("ticket", "INC-1")
        .setDelegator("alice").setParentAgent("spiffe://corp.example/p").setDepth(2)
        .setAgentOwner("team").setAgentFirstSeen(Timestamp.newBuilder().setSeconds(1_700_000_000))
        .setPostureJson("{\"score\": 10, \"device\": {\"os\": \"linux\"}}");
  }

  @Test
  void explain_everyContextField_reachesTheConditions() {
    ExplainPolicyResponse r = PolicyExplain.explain(POLICY, full().build(), TEN_OCLOCK);

    assertThat(r.getAllowed()).as(r.toString()).isTrue();
    assertThat(r.getPolicySha256()).isEqualTo(POLICY.sha256());
    assertThat(r.getAt().getSeconds()).isEqualTo(TEN_OCLOCK.instant().getEpochSecond());
    assertThat(r.getRules(0).getChecksList()).filteredOn(c -> c.startsWith("condition")).hasSize(6)
        .allSatisfy(c -> assertThat(c).endsWith(": held"));
  }

  @Test
  void explain_atGiven_overridesTheClock() {
    ExplainPolicyResponse r = PolicyExplain.explain(POLICY,
        full().setAt(Timestamp.newBuilder().setSeconds(Instant.parse("2026-11-25T11:00:00Z").getEpochSecond())).build(),
        TEN_OCLOCK);

    assertThat(r.getAllowed()).isFalse();
    assertThat(r.getReason()).isEqualTo("condition 'time' of rule 'guarded' does not hold");
  }

  @Test
  void explain_delegatedScope_narrowsTheGrant() {
    ExplainPolicyResponse r = PolicyExplain.explain(POLICY, full().addScopeRoles("other").build(), TEN_OCLOCK);

    assertThat(r.getReason()).isEqualTo("role 'r' was not delegated (delegated: [other])");
  }

  @Test
  void explain_malformedRequest_saysSo() {
    ExplainPolicyResponse r = PolicyExplain.explain(POLICY, full().clearRoles().build(), TEN_OCLOCK);

    assertThat(r.getMalformed()).isEqualTo("no roles requested");
    assertThat(r.getAllowed()).isFalse();
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of("posture not JSON", full().setPostureJson("{nope"), "posture_json: not valid JSON"),
        Arguments.of("posture not an object", full().setPostureJson("[1, 2]"), "posture_json: not a JSON object"),
        Arguments.of("negative depth", full().setDepth(-1), "depth: -1 (expected: >= 0)"),
        Arguments.of("depth without parent agent", full().clearParentAgent(), "depth: 2 (expected: a parent_agent"),
        Arguments.of("no identity", full().clearIdentity(), "identity: empty"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void explain_invalidRequest_isRefusedAsAnArgumentError(String name, ExplainPolicyRequest.Builder r, String message) {
    assertThatThrownBy(() -> PolicyExplain.explain(POLICY, r.build(), TEN_OCLOCK))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(message);
  }
}
