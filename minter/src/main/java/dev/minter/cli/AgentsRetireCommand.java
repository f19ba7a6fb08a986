package dev.minter.cli;

import dev.minter.proto.v1.AgentState;
import java.io.Console;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code minter agents retire ID --yes}: deny everything new and revoke every live task of the agent. */
@Command(
    name = "retire",
    mixinStandardHelpOptions = true,
    description = {
      "Retire an agent: it may not begin tasks or mint credentials, and every open task of it is revoked now.",
      "Asks for confirmation on a terminal; give --yes in scripts."
    },
    footer = {
      "",
      "Example:",
      "  minter agents retire spiffe://corp/agents/etl --reason 'decommissioned' --yes -o json",
      "",
      "Exit codes: 0 retired, all credentials confirmed gone; 3 retired, some revocations queued for retry;",
      "  1 not confirmed, no such agent, or the server refused or could not be reached; 2 bad usage."
    })
public final class AgentsRetireCommand extends AgentStateChange {
  @Option(names = "--yes", description = "Do not ask for confirmation.")
  boolean yes;

  @Override
  AgentState target() {
    return AgentState.AGENT_STATE_RETIRED;
  }

  @Override
  String name() {
    return "retire";
  }

  /** Retiring revokes live credentials at once: an operator confirms it, or says --yes up front. */
  @Override
  boolean confirmed() {
    if (yes) {
      return true;
    }
    Console console = System.console();
    if (console == null) {
      System.err.println("minter: agents retire: refusing without --yes (no terminal to confirm on)");
      return false;
    }
    String answer = console.readLine("Retire %s and revoke all its live tasks? [y/N] ", identity);
    if (answer != null && (answer.trim().equalsIgnoreCase("y") || answer.trim().equalsIgnoreCase("yes"))) {
      return true;
    }
    System.err.println("minter: agents retire: not confirmed, nothing changed");
    return false;
  }
}
