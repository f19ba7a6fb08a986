package dev.minter.cli;

import picocli.CommandLine.Command;

/** {@code minter tasks …}: look at the tasks Minter has opened. */
@Command(
    name = "tasks",
    mixinStandardHelpOptions = true,
    description = "List and inspect tasks (admin API).",
    subcommands = {TasksListCommand.class, TasksShowCommand.class})
public final class TasksCommand {}
