package dev.minter.cli;

import dev.minter.proto.v1.AgentInfo;
import dev.minter.proto.v1.RegisterAgentRequest;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code minter agents register ID --owner O}: says who answers for an agent (before or after it first attests). */
@Command(
    name = "register",
    mixinStandardHelpOptions = true,
    description = "Register an agent's owner and description (creates the record if Minter has never seen it).",
    footer = {
      "",
      "Example:",
      "  minter agents register spiffe://corp/agents/etl --owner data-team --description 'nightly ETL'",
      "",
      "Exit codes: 0 registered; 1 the server refused or could not be reached; 2 bad usage."
    })
public final class AgentsRegisterCommand implements Callable<Integer> {
  @Mixin ClientOptions client;

  @Parameters(index = "0", paramLabel = "IDENTITY", description = "The agent's identity URI.")
  String identity;

  @Option(names = "--owner", required = true, description = "Who answers for the agent (a team, a person).")
  String owner;

  @Option(names = "--description", defaultValue = "", description = "What the agent does.")
  String description;

  @Option(names = {"-o", "--output"}, description = "table, json or yaml.")
  String output;

  @Override
  public Integer call() throws Exception {
    return AgentCalls.run(client, "agents register", admin -> {
      String format = Output.format(output);
      AgentInfo agent =
          admin.registerAgent(
              RegisterAgentRequest.newBuilder().setIdentity(identity).setOwner(owner).setDescription(description).build());
      System.out.println("table".equals(format) ? AgentCalls.details(agent) : Output.message(agent, format));
      return 0;
    });
  }
}
