package dev.minter.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code minter completion}: prints a bash/zsh completion script for every command and option. */
@Command(
    name = "completion",
    mixinStandardHelpOptions = true,
    description = "Print a bash (and zsh, via bashcompinit) completion script for minter.",
    footer = {
      "",
      "Example:",
      "  source <(minter completion)                       # this shell",
      "  minter completion > /etc/bash_completion.d/minter  # every shell"
    })
public final class CompletionCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    CommandLine root = spec.commandLine().getParent();
    System.out.println(AutoComplete.bash(root.getCommandName(), root));
    return 0;
  }
}
