package dev.minter.cli;

import picocli.CommandLine.Command;

/** {@code minter audit …}: work with the audit log. */
@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    description = "Work with Minter's hash-chained audit log.",
    subcommands = {AuditVerifyCommand.class, AuditQueryCommand.class, AuditTailCommand.class})
public final class AuditCommand {}
