package dev.minter.cli;

import dev.minter.proto.v1.AgentState;
import picocli.CommandLine.Command;

/** {@code minter agents suspend ID}: no new tasks or credentials; open tasks may still complete. */
@Command(
    name = "suspend",
    mixinStandardHelpOptions = true,
    description = "Suspend an agent: it may not begin tasks or mint credentials; nothing is revoked.",
    footer = {
      "",
      "Example:",
      "  minter agents suspend spiffe://corp/agents/research-bot --reason 'investigating INC-42'",
      "",
      "Exit codes: 0 suspended; 1 no such agent, or the server refused or could not be reached; 2 bad usage."
    })
public final class AgentsSuspendCommand extends AgentStateChange {
  @Override
  AgentState target() {
    return AgentState.AGENT_STATE_SUSPENDED;
  }

  @Override
  String name() {
    return "suspend";
  }
}
