package dev.minter.cli;

import picocli.CommandLine.Command;

/** {@code minter dev …}: development helpers. Never use their output in production. */
@Command(
    name = "dev",
    mixinStandardHelpOptions = true,
    description = "Development helpers (never for production).",
    subcommands = {DevCertsCommand.class})
public final class DevCommand {}
