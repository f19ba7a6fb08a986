package dev.minter;

import dev.minter.cli.MinterCommand;
import picocli.CommandLine;

/** Entry point of the single Minter executable: {@code java -jar minter.jar <command>}. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line, with errors printed as one line (no stack traces for users' mistakes). */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new MinterCommand());
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          commandLine.getErr().println("minter: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
          return 1;
        });
    return cli;
  }
}
