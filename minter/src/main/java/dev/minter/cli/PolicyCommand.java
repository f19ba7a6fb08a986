package dev.minter.cli;

import picocli.CommandLine.Command;

/** {@code minter policy …}: check and explain policy files. */
@Command(
    name = "policy",
    mixinStandardHelpOptions = true,
    description = "Check a policy file and explain the decisions it makes.",
    subcommands = {PolicyExplainCommand.class, PolicyCheckCommand.class})
public final class PolicyCommand {}
