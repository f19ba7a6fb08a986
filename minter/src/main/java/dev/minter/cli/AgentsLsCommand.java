package dev.minter.cli;

import dev.minter.proto.v1.AgentState;
import dev.minter.proto.v1.ListAgentsRequest;
import dev.minter.proto.v1.ListAgentsResponse;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code minter agents ls}: the inventory, filtered. */
@Command(
    name = "ls",
    mixinStandardHelpOptions = true,
    description = "List agents: every identity that attested or was registered.",
    footer = {
      "",
      "Examples:",
      "  minter agents ls",
      "  minter agents ls --identity 'spiffe://corp/agents/*' --state suspended -o json",
      "  minter agents ls --without-owner",
      "",
      "Exit codes: 0 listed; 1 the server refused or could not be reached; 2 bad usage."
    })
public final class AgentsLsCommand implements Callable<Integer> {
  @Mixin ClientOptions client;

  @Option(names = "--identity", defaultValue = "", description = "Identity glob (* within a segment, ** across).")
  String identity;

  @Option(names = "--owner", defaultValue = "", description = "Only agents of this owner.")
  String owner;

  @Option(names = "--state", description = "active, suspended or retired.")
  String state;

  @Option(names = "--without-owner", description = "Only agents nobody has registered an owner for.")
  boolean withoutOwner;

  @Option(names = {"-o", "--output"}, description = "table, json or yaml.")
  String output;

  @Override
  public Integer call() throws Exception {
    return AgentCalls.run(client, "agents ls", admin -> {
      String format = Output.format(output);
      ListAgentsRequest.Builder request =
          ListAgentsRequest.newBuilder().setIdentity(identity).setOwner(owner).setWithoutOwner(withoutOwner);
      if (state != null) {
        request.setState(parseState(state));
      }
      ListAgentsResponse response = admin.listAgents(request.build());
      System.out.println(
          "table".equals(format)
              ? Output.rows(response.getAgentsList().stream().map(AgentCalls::row).toList(), format)
              : Output.message(response, format));
      return 0;
    });
  }

  static AgentState parseState(String state) {
    return switch (state.toLowerCase(Locale.ROOT)) {
      case "active" -> AgentState.AGENT_STATE_ACTIVE;
      case "suspended" -> AgentState.AGENT_STATE_SUSPENDED;
      case "retired" -> AgentState.AGENT_STATE_RETIRED;
      default -> throw new IllegalArgumentException("--state " + state + " (expected: active, suspended or retired)");
    };
  }
}
