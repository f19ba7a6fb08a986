package dev.minter.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import dev.minter.api.PolicyExplain;
import dev.minter.config.ConfigLoader;
import dev.minter.policy.Durations;
import dev.minter.policy.PolicyException;
import dev.minter.policy.PolicyFile;
import dev.minter.proto.v1.ExplainPolicyRequest;
import dev.minter.proto.v1.ExplainPolicyResponse;
import dev.minter.proto.v1.MinterAdminGrpc;
import dev.minter.proto.v1.RuleTrace;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code minter policy explain}: how the policy decides a request, rule by rule. */
@Command(
    name = "explain",
    mixinStandardHelpOptions = true,
    description = {
      "Explain how the policy decides a request: for each rule in order, whether it applies to the identity, each",
      "check (role granted? purpose allowed? ttl within max? the roles' own requirements? within the delegated",
      "scope?), each `when:` condition (held, failed, or the evaluation error that made it fail closed), and",
      "whether the rule allows; then the decision. The context conditions read is given with --claims, --attestor,",
      "--label, --delegator, --parent-agent, --depth, --scope-*, --agent-*, --posture and --at.",
      "Offline against a policy file (--policy, or the policy of --config) or, with --server, the server's policy.",
      "Both run the same code as the server's decision."
    },
    footer = {
      "",
      "Examples:",
      "  minter policy explain --policy policy.yaml --identity spiffe://corp.example/agents/bot \\",
      "      --role analytics-ro --purpose report:weekly --ttl 10m",
      "  minter policy explain --server --identity spiffe://corp.example/agents/bot --role analytics-ro \\",
      "      --purpose demo --cert admin.pem --key admin.key --ca ca.pem",
      "  minter policy explain --policy policy.yaml --identity spiffe://corp.example/agents/bot \\",
      "      --role prod-admin --purpose incident:response --attestor k8s_sat --claims claims.yaml \\",
      "      --delegator alice@corp.example --label ticket=INC-42 --posture posture.json --at 2026-11-25T10:30:00Z",
      "",
      "Exit codes: 0 allowed; 1 denied, or the policy/server could not be read; 2 usage."
    })
public final class PolicyExplainCommand implements Callable<Integer> {
  @Option(names = "--identity", required = true, description = "The caller's identity URI.")
  String identity;

  @Option(names = "--role", required = true, description = "A role asked for (repeat for several).")
  List<String> roles;

  @Option(names = "--purpose", required = true, description = "The declared purpose.")
  String purpose;

  @Option(names = "--ttl", description = "The requested TTL, e.g. 10m (default: the rule's maximum).")
  String ttl;

  @Option(names = "--claims", paramLabel = "FILE", description = "Verified claims: a JSON or YAML map of strings.")
  Path claims;

  @Option(names = "--attestor", description = "The attestor kind, e.g. k8s_sat (default: explain).")
  String attestor;

  @Option(names = "--label", paramLabel = "KEY=VALUE", description = "A task label (repeat for several).")
  Map<String, String> labels;

  @Option(names = "--delegator", paramLabel = "HUMAN", description = "The human who delegated the task.")
  String delegator;

  @Option(names = "--parent-agent", paramLabel = "IDENTITY", description = "The agent that delegated the task.")
  String parentAgent;

  @Option(names = "--depth", description = "Agents in the delegation chain (default: 1 with --parent-agent, else 0).")
  Integer depth;

  @Option(names = "--scope-role", description = "A delegated role (repeat); makes the request carry a delegated scope.")
  List<String> scopeRoles;

  @Option(names = "--scope-purpose", description = "A delegated purpose glob (repeat; default **).")
  List<String> scopePurposes;

  @Option(names = "--scope-max-ttl", description = "The delegated maximum TTL, e.g. 10m.")
  String scopeMaxTtl;

  @Option(names = "--agent-owner", description = "The agent's registered owner.")
  String agentOwner;

  @Option(names = "--agent-status", description = "The agent's status: active, suspended, retired.")
  String agentStatus;

  @Option(names = "--agent-first-seen", paramLabel = "INSTANT", description = "When the agent first attested.")
  Instant agentFirstSeen;

  @Option(names = "--posture", paramLabel = "FILE", description = "Posture signals: a JSON or YAML map.")
  Path posture;

  @Option(names = "--at", paramLabel = "INSTANT", description = "The instant to decide at, e.g. 2026-11-25T10:30:00Z (default: now).")
  Instant at;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  static final class Source {
    @Option(names = "--policy", description = "A policy file to explain offline.")
    Path policy;

    @Option(names = "--config", description = "A server config (minter.yaml): explain its policy file offline.")
    Path config;

    @Option(names = "--server", description = "Ask the server (its loaded policy) over the admin API.")
    boolean server;
  }

  @Mixin ClientOptions client;

  @Option(names = {"-o", "--output"}, defaultValue = "table", description = "table, json or yaml.")
  String output;

  @Override
  public Integer call() throws Exception {
    ExplainPolicyRequest.Builder request =
        ExplainPolicyRequest.newBuilder().setIdentity(identity).setPurpose(purpose).addAllRoles(roles);
    if (ttl != null) {
      java.time.Duration d =
          Durations.parse(ttl).orElseThrow(() -> new IllegalArgumentException("--ttl: '" + ttl + "' (expected e.g. 10m)"));
      request.setTtl(Duration.newBuilder().setSeconds(d.getSeconds()));
    }
    try {
      context(request);
    } catch (IllegalArgumentException e) {
      System.err.println("minter: policy explain: " + e.getMessage());
      return 2;
    }
    ExplainPolicyResponse response;
    if (source.server) {
      ManagedChannel channel = client.channel();
      try {
        response =
            MinterAdminGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS).explainPolicy(request.build());
      } catch (StatusRuntimeException e) {
        System.err.println("minter: policy explain failed: " + e.getStatus().getCode() + ": " + e.getStatus().getDescription());
        return 1;
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    } else {
      Path file = source.policy != null ? source.policy : ConfigLoader.load(source.config).policy();
      try {
        response = PolicyExplain.explain(PolicyFile.load(file), request.build());
      } catch (PolicyException e) {
        System.err.println("minter: " + e.getMessage());
        return 1;
      }
    }
    System.out.println("table".equals(output) ? render(response) : Output.message(response, Output.format(output)));
    return response.getAllowed() ? 0 : 1;
  }

  /** Adds the policy context given on the command line; files are read here, the server never reads them. */
  private void context(ExplainPolicyRequest.Builder request) {
    Instant when = at != null ? at : Instant.now();
    request.setAt(timestamp(when));
    if (claims != null) {
      readMap("--claims", claims).forEach((k, v) -> {
        if (v instanceof Map<?, ?> || v instanceof List<?> || v == null) {
          throw new IllegalArgumentException("--claims: claim '" + k + "' (expected: a string value)");
        }
        request.putClaims(k, String.valueOf(v));
      });
    }
    if (attestor != null) {
      request.setAttestor(attestor);
    }
    if (labels != null) {
      request.putAllLabels(labels);
    }
    if (delegator != null) {
      request.setDelegator(delegator);
    }
    if (parentAgent != null) {
      request.setParentAgent(parentAgent);
    }
    if (depth != null) {
      request.setDepth(depth);
    }
    if (scopeRoles != null) {
      request.addAllScopeRoles(scopeRoles);
      if (scopePurposes != null) {
        request.addAllScopePurposes(scopePurposes);
      }
      if (scopeMaxTtl != null) {
        java.time.Duration d = Durations.parse(scopeMaxTtl)
            .orElseThrow(() -> new IllegalArgumentException("--scope-max-ttl: '" + scopeMaxTtl + "' (expected e.g. 10m)"));
        request.setScopeMaxTtl(Duration.newBuilder().setSeconds(d.getSeconds()).setNanos(d.getNano()));
      }
    } else if (scopePurposes != null || scopeMaxTtl != null) {
      throw new IllegalArgumentException("--scope-purpose and --scope-max-ttl need --scope-role");
    }
    if (agentOwner != null) {
      request.setAgentOwner(agentOwner);
    }
    if (agentStatus != null) {
      request.setAgentStatus(agentStatus);
    }
    if (agentFirstSeen != null) {
      request.setAgentFirstSeen(timestamp(agentFirstSeen));
    }
    if (posture != null) {
      try {
        request.setPostureJson(new ObjectMapper().writeValueAsString(readMap("--posture", posture)));
      } catch (IOException e) {
        throw new IllegalArgumentException("--posture: " + e.getMessage(), e);
      }
    }
  }

  private static Map<String, Object> readMap(String option, Path file) {
    try {
      // YAML is a superset of JSON, so one reader takes both.
      Object parsed = new YAMLMapper().readValue(file.toFile(), Object.class);
      if (!(parsed instanceof Map<?, ?> m)) {
        throw new IllegalArgumentException(option + ": " + file + " (expected: a JSON or YAML map)");
      }
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put(String.valueOf(k), v));
      return out;
    } catch (IOException e) {
      throw new IllegalArgumentException(option + ": cannot read " + file + " (" + e.getMessage() + ")", e);
    }
  }

  private static Timestamp timestamp(Instant i) {
    return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
  }

  /** Each rule with its checks, then the decision. */
  static String render(ExplainPolicyResponse r) {
    StringBuilder sb = new StringBuilder();
    if (r.hasAt()) {
      sb.append("at ").append(Instant.ofEpochSecond(r.getAt().getSeconds(), r.getAt().getNanos()));
      if (!r.getPolicySha256().isEmpty()) {
        sb.append(", policy sha256 ").append(r.getPolicySha256(), 0, Math.min(12, r.getPolicySha256().length()));
      }
      sb.append('\n');
    }
    if (!r.getMalformed().isEmpty()) {
      sb.append("request: ").append(r.getMalformed()).append(" (no rule's checks run)\n");
    }
    for (RuleTrace t : r.getRulesList()) {
      sb.append("rule ").append(t.getRule()).append(": ")
          .append(t.getApplies() ? (t.getAllows() ? "applies, ALLOWS" : "applies, does not allow") : "does not apply")
          .append('\n');
      t.getChecksList().forEach(c -> sb.append("  ").append(c).append('\n'));
    }
    sb.append(r.getAllowed() ? "decision: ALLOW by rule '" + r.getRule() + "'"
        : "decision: DENY (" + r.getRule() + "): " + r.getReason());
    return sb.toString();
  }
}
