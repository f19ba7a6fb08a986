package dev.minter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minter.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code minter policy check} and {@code minter policy explain --policy}, offline. */
class PolicyCommandsTest {
  private static final String POLICY =
      """
      admins: ["spiffe://minter.local/operators/*"]
      roles:
        analytics-ro: {kind: database, path: database/creds/analytics-ro, vault_policies: [task-analytics-ro]}
      rules:
        - id: agents
          identities: ["spiffe://minter.local/agents/*"]
          roles: [analytics-ro]
          purposes: ["report:*"]
          max_ttl: 15m
      """;

  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private PrintStream original;

  @BeforeEach
  void captureStdout() {
    original = System.out;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restoreStdout() {
    System.setOut(original);
  }

  @Test
  void check_validPolicy_exitsZero() throws Exception {
    Path file = write("ok.yaml", POLICY);

    assertThat(Main.commandLine().execute("policy", "check", file.toString())).isZero();
    assertThat(stdout()).contains("valid (1 roles, 1 rules");
  }

  @Test
  void check_unknownRoleInRule_exitsOneAndNamesIt() throws Exception {
    Path file = write("bad.yaml", POLICY.replace("roles: [analytics-ro]", "roles: [analytics-rw]"));

    assertThat(Main.commandLine().execute("policy", "check", file.toString())).isEqualTo(1);
    assertThat(stdout()).startsWith("INVALID: ").contains("analytics-rw");
  }

  @Test
  void check_unreachableRule_exitsOneWithWarning() throws Exception {
    Path file = write("dead.yaml", POLICY + """
          - id: research-only
            identities: ["spiffe://minter.local/agents/research-bot"]
            roles: [analytics-ro]
            purposes: ["report:weekly"]
            max_ttl: 5m
        """);

    assertThat(Main.commandLine().execute("policy", "check", file.toString())).isEqualTo(1);
    assertThat(stdout()).contains("WARNING: rule 'research-only' is unreachable: the earlier rule 'agents'");
  }

  @Test
  void check_missingFile_exitsOne() {
    assertThat(Main.commandLine().execute("policy", "check", dir.resolve("nope.yaml").toString())).isEqualTo(1);
  }

  @Test
  void explain_offline_printsEachRulesChecksAndDecision() throws Exception {
    Path file = write("p.yaml", POLICY);

    int code = Main.commandLine().execute("policy", "explain", "--policy", file.toString(),
        "--identity", "spiffe://minter.local/agents/bot", "--role", "analytics-ro", "--purpose", "report:x",
        "--ttl", "1h");

    assertThat(code).isEqualTo(1);
    assertThat(stdout())
        .contains("rule agents: applies, does not allow")
        .contains("  role analytics-ro: granted")
        .contains("  purpose report:x: allowed")
        .contains("  ttl PT1H: exceeds PT15M")
        .contains("decision: DENY (agents): ttl PT1H exceeds the maximum PT15M of rule 'agents'");
  }

  @Test
  void explain_offlineAllowed_exitsZero() throws Exception {
    Path file = write("p.yaml", POLICY);

    int code = Main.commandLine().execute("policy", "explain", "--policy", file.toString(),
        "--identity", "spiffe://minter.local/agents/bot", "--role", "analytics-ro", "--purpose", "report:x");

    assertThat(code).isZero();
    assertThat(stdout()).contains("decision: ALLOW by rule 'agents'");
  }

  @Test
  void explain_noSource_isUsageError() {
    assertThat(Main.commandLine().execute("policy", "explain", "--identity", "x", "--role", "r", "--purpose", "p"))
        .isEqualTo(2);
  }

  private Path write(String name, String text) throws Exception {
    return Files.writeString(dir.resolve(name), text);
  }

  private String stdout() {
    return out.toString(StandardCharsets.UTF_8);
  }
}
