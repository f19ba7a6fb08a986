package dev.minter.cli;

import picocli.CommandLine.Command;

/** {@code minter agents …}: the agent inventory and agent lifecycle. */
@Command(
    name = "agents",
    mixinStandardHelpOptions = true,
    description = "The agent inventory: every identity that attested, its owner, state and use.",
    subcommands = {
      AgentsLsCommand.class,
      AgentsShowCommand.class,
      AgentsRegisterCommand.class,
      AgentsSuspendCommand.class,
      AgentsRetireCommand.class,
      AgentsReinstateCommand.class,
      AgentsReportCommand.class
    },
    footer = {
      "",
      "Examples:",
      "  minter agents ls --without-owner",
      "  minter agents register spiffe://corp/agents/etl --owner data-team --description 'nightly ETL'",
      "  minter agents retire spiffe://corp/agents/etl --reason 'decommissioned' --yes"
    })
public final class AgentsCommand {}
