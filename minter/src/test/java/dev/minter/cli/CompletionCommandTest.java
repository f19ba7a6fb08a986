package dev.minter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minter.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CompletionCommandTest {
  @Test
  void completion_printsABashScriptCoveringSubcommandsAndOptions() {
    PrintStream original = System.out;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = Main.commandLine().execute("completion");
    } finally {
      System.setOut(original);
    }
    String script = bytes.toString(StandardCharsets.UTF_8);

    assertThat(code).isZero();
    assertThat(script).contains("complete -F").contains("revoke").contains("agents").contains("--task");
  }
}
