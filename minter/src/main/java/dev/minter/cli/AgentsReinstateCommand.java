package dev.minter.cli;

import dev.minter.proto.v1.AgentState;
import picocli.CommandLine.Command;

/** {@code minter agents reinstate ID}: back to ACTIVE after a suspension or retirement. */
@Command(
    name = "reinstate",
    mixinStandardHelpOptions = true,
    description = "Reinstate a suspended or retired agent: it may begin tasks again (revoked tasks stay revoked).",
    footer = {
      "",
      "Example:",
      "  minter agents reinstate spiffe://corp/agents/research-bot --reason 'INC-42 closed'",
      "",
      "Exit codes: 0 reinstated; 1 no such agent, or the server refused or could not be reached; 2 bad usage."
    })
public final class AgentsReinstateCommand extends AgentStateChange {
  @Override
  AgentState target() {
    return AgentState.AGENT_STATE_ACTIVE;
  }

  @Override
  String name() {
    return "reinstate";
  }
}
