package dev.minter.cli;

import dev.minter.proto.v1.AgentInfo;
import dev.minter.proto.v1.GetAgentRequest;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code minter agents show ID}: one agent, with what the policy lets it reach. */
@Command(
    name = "show",
    mixinStandardHelpOptions = true,
    description = "Show one agent: owner, state, use, live tasks, and the roles and data sources the policy grants it.",
    footer = {
      "",
      "Example:",
      "  minter agents show spiffe://corp/agents/research-bot -o yaml",
      "",
      "Exit codes: 0 shown; 1 no such agent, or the server refused or could not be reached; 2 bad usage."
    })
public final class AgentsShowCommand implements Callable<Integer> {
  @Mixin ClientOptions client;

  @Parameters(index = "0", paramLabel = "IDENTITY", description = "The agent's identity URI.")
  String identity;

  @Option(names = {"-o", "--output"}, description = "table, json or yaml.")
  String output;

  @Override
  public Integer call() throws Exception {
    return AgentCalls.run(client, "agents show", admin -> {
      String format = Output.format(output);
      AgentInfo agent = admin.getAgent(GetAgentRequest.newBuilder().setIdentity(identity).build());
      System.out.println("table".equals(format) ? AgentCalls.details(agent) : Output.message(agent, format));
      return 0;
    });
  }
}
