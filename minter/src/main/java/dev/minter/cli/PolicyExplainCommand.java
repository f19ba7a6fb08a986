package dev.minter.cli;

import com.google.protobuf.Duration;
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
import java.nio.file.Path;
import java.util.List;
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
      "check (role granted? purpose allowed? ttl within max?) and whether it allows; then the decision.",
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

  /** Each rule with its checks, then the decision. */
  static String render(ExplainPolicyResponse r) {
    StringBuilder sb = new StringBuilder();
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
