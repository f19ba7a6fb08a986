package dev.minter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minter.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** Every audit/policy/break-glass command answers --help with an example and its exit codes. */
class AuditPolicyHelpTest {
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"audit query", "audit tail", "audit verify", "policy explain", "policy check", "revoke"})
  void help_eachCommand_showsExampleAndExitCodes(String command) {
    CommandLine cli = Main.commandLine();
    StringWriter out = new StringWriter();
    cli.setOut(new PrintWriter(out));

    int code = cli.execute((command + " --help").split(" "));

    assertThat(code).isZero();
    assertThat(out.toString()).containsPattern("Examples?:").contains("Exit codes:");
  }
}
