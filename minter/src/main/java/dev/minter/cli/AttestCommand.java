package dev.minter.cli;

import picocli.CommandLine.Command;

/** {@code minter attest …}: operators' aids for attestation. */
@Command(
    name = "attest",
    mixinStandardHelpOptions = true,
    description = "Check identity evidence the way the server does.",
    subcommands = {AttestCheckCommand.class})
public final class AttestCommand {}
