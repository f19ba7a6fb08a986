package dev.minter.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;

/** The {@code minter} executable: the server and its operators' tools in one jar. */
@Command(
    name = "minter",
    mixinStandardHelpOptions = true,
    version = "minter 0.1.0",
    description = "Just-in-time, task-scoped credentials for AI agents.",
    subcommands = {
      ServeCommand.class,
      RevokeCommand.class,
      TasksCommand.class,
      AgentsCommand.class,
      AuditCommand.class,
      PolicyCommand.class,
      AttestCommand.class,
      DevCommand.class,
      DemoCommand.class,
      CompletionCommand.class,
      HelpCommand.class
    })
public final class MinterCommand {}
