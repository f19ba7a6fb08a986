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

/** {@code minter policy explain} with the v1 context flags, and {@code minter policy check} on v1 files, offline. */
class PolicyV1CommandsTest {
  static final String POLICY =
      """
      admins: ["spiffe://corp.example/operators/*"]
      roles:
        analytics-ro: {kind: database, path: database/creds/analytics-ro, vault_policies: [task-analytics-ro]}
        prod-admin:
          kind: database
          path: database/creds/prod-admin
          vault_policies: [task-prod-admin]
          sensitivity: critical
          requires: {human_delegation: true, max_ttl: 15m, purposes: ["incident:response"]}
      rules:
        - id: prod-oncall
          identities: ["spiffe://corp.example/agents/*"]
          roles: [analytics-ro, prod-admin]
          purposes: ["incident:*"]
          max_ttl: 1h
          when:
            - {name: prod-namespace, expr: 'identity.claims["k8s.namespace"] == "prod"'}
            - {name: office-hours, expr: 'time.hour >= 9 && time.hour < 17'}
            - {name: device-ok, expr: 'posture.disk_encrypted == true'}
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
  void explain_allContextGiven_allowsAndListsEachConditionHeld() throws Exception {
    int code = explain("--claims", write("claims.yaml", "k8s.namespace: prod\n").toString(),
        "--posture", write("posture.json", "{\"disk_encrypted\": true}").toString(),
        "--delegator", "alice@corp.example", "--at", "2026-11-25T10:30:00Z");

    assertThat(code).isZero();
    assertThat(stdout())
        .contains("at 2026-11-25T10:30:00Z, policy sha256 ")
        .contains("rule prod-oncall: applies, ALLOWS")
        .contains("  role prod-admin requires a human delegation: delegated by alice@corp.example")
        .contains("  ttl PT15M: within role prod-admin maximum PT15M")
        .contains("  condition 'prod-namespace' (identity.claims[\"k8s.namespace\"] == \"prod\"): held")
        .contains("  condition 'office-hours' (time.hour >= 9 && time.hour < 17): held")
        .contains("  condition 'device-ok' (posture.disk_encrypted == true): held")
        .contains("decision: ALLOW by rule 'prod-oncall'");
  }

  @Test
  void explain_missingContext_deniesShowingFailedAndErroredConditions() throws Exception {
    int code = explain("--claims", write("claims.json", "{\"k8s.namespace\": \"dev\"}").toString(),
        "--delegator", "alice@corp.example", "--at", "2026-11-25T22:00:00Z");

    assertThat(code).isEqualTo(1);
    assertThat(stdout())
        .contains("rule prod-oncall: applies, does not allow")
        .contains("  condition 'prod-namespace' (identity.claims[\"k8s.namespace\"] == \"prod\"): failed")
        .contains("  condition 'office-hours' (time.hour >= 9 && time.hour < 17): failed")
        .containsPattern("  condition 'device-ok' \\(posture.disk_encrypted == true\\): error: .*disk_encrypted")
        .contains("decision: DENY (prod-oncall): condition 'prod-namespace' of rule 'prod-oncall' does not hold");
  }

  @Test
  void explain_noHumanDelegation_deniesWithActionableReason() throws Exception {
    int code = explain("--at", "2026-11-25T10:30:00Z");

    assertThat(code).isEqualTo(1);
    assertThat(stdout()).contains("  role prod-admin requires a human delegation: none")
        .contains("decision: DENY (prod-oncall): role 'prod-admin' requires a human delegation (send delegation_token)");
  }

  @Test
  void explain_delegatedScopeAndLabels_areChecked() throws Exception {
    int code = explain("--delegator", "alice@corp.example", "--scope-role", "analytics-ro", "--label", "ticket=INC-1",
        "--at", "2026-11-25T10:30:00Z");

    assertThat(code).isEqualTo(1);
    assertThat(stdout()).contains("  role prod-admin: not delegated (delegated: [analytics-ro])")
        .contains("decision: DENY (prod-oncall): role 'prod-admin' was not delegated (delegated: [analytics-ro])");
  }

  @Test
  void explain_jsonOutput_carriesTimeAndPolicyHash() throws Exception {
    int code = explain("--at", "2026-11-25T10:30:00Z", "-o", "json");

    assertThat(code).isEqualTo(1);
    assertThat(stdout()).contains("\"policySha256\"").contains("\"at\": \"2026-11-25T10:30:00Z\"")
        .contains("\"checks\"");
  }

  @Test
  void explain_badClaimsFile_isUsageError() throws Exception {
    assertThat(explain("--claims", write("claims.yaml", "- not\n- a map\n").toString())).isEqualTo(2);
  }

  @Test
  void check_celTypeError_exitsOneNamingRuleAndCelMessage() throws Exception {
    Path file = write("bad.yaml", POLICY.replace("time.hour >= 9", "time.hour >= \"9\""));

    assertThat(Main.commandLine().execute("policy", "check", file.toString())).isEqualTo(1);
    assertThat(stdout()).startsWith("INVALID: " + file + ": rules[0].when[1] (rule 'prod-oncall'): invalid CEL condition")
        .contains("no matching overload");
  }

  @Test
  void check_validV1PolicyWithWarning_exitsZeroAndPrintsIt() throws Exception {
    Path file = write("ok.yaml", POLICY.replace("roles:\n", "roles:\n  unused: {kind: database, path: database/creds/u, "
        + "vault_policies: [task-u]}\n"));

    assertThat(Main.commandLine().execute("policy", "check", file.toString())).isZero();
    assertThat(stdout()).contains("WARNING: role 'unused' is granted by no rule").contains("valid (3 roles, 1 rules");
  }

  private int explain(String... extra) throws Exception {
    Path policy = dir.resolve("policy.yaml");
    if (!Files.exists(policy)) {
      Files.writeString(policy, POLICY);
    }
    String[] base = {"policy", "explain", "--policy", policy.toString(), "--identity",
        "spiffe://corp.example/agents/bot", "--role", "prod-admin", "--purpose", "incident:response"};
    String[] args = new String[base.length + extra.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    return Main.commandLine().execute(args);
  }

  private Path write(String name, String text) throws Exception {
    return Files.writeString(dir.resolve(name), text);
  }

  private String stdout() {
    return out.toString(StandardCharsets.UTF_8);
  }
}
