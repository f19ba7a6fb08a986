package dev.minter.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class PolicyFileTest {
  /** The example from the policy file's documentation. */
  static final String EXAMPLE =
      """
      # identities allowed to use the admin API (revoke etc.)
      admins:
        - "spiffe://minter.local/operators/*"
      roles:
        analytics-ro:
          kind: database
          path: database/creds/analytics-ro
          vault_policies: [minter-task-analytics-ro]
        vault-token:
          kind: vault-token
          vault_policies: [minter-task-vault-token, agent-kv-read]
          token_policies: [agent-kv-read]       # the child token's policies
      rules:
        - id: demo-agents
          identities: ["spiffe://minter.local/agents/*"]
          roles: [analytics-ro, vault-token]
          purposes: ["report:*", "demo"]
          max_ttl: 15m
      """;

  private static final String ROLE = "roles:\n  r: {kind: database, path: database/creds/r, vault_policies: [p]}\n";

  /** A one-rule file around {@link #ROLE} with one rule field replaced. */
  private static String rule(String id, String identities, String roles, String purposes, String maxTtl) {
    return ROLE + "rules:\n  - {id: %s, identities: %s, roles: %s, purposes: %s, max_ttl: %s}\n"
        .formatted(id, identities, roles, purposes, maxTtl);
  }

  private static String ruleWithTtl(String maxTtl) {
    return rule("a", "['x']", "[r]", "['p']", maxTtl);
  }

  private static String role(String body) {
    return "roles:\n  t: " + body + "\nrules: []\n";
  }

  static Stream<Arguments> invalidFiles() {
    return Stream.of(
        // name, yaml, expected message (the file is called bad.yaml)
        Arguments.of("empty file", "", "bad.yaml: empty policy file (expected: a mapping with admins, roles, rules)"),
        Arguments.of("not a mapping", "- a\n", "bad.yaml: [\"a\"] (expected: a mapping)"),
        Arguments.of("unknown top-level key (typo)", ROLE + "rule: []\n",
            "bad.yaml: unknown key 'rule' (expected one of: admins, require_owner, roles, rules, quotas, anomalies)"),
        Arguments.of("missing rules", ROLE, "bad.yaml: rules: missing (expected: a list of rules)"),
        Arguments.of("missing roles", "rules: []\n",
            "bad.yaml: roles: missing (expected: a mapping of role names to roles)"),
        Arguments.of("rules not a list", ROLE + "rules: {a: b}\n", "bad.yaml: rules: {\"a\":\"b\"} (expected: a list)"),
        Arguments.of("admins item empty", "admins: ['']\n" + ROLE + "rules: []\n",
            "bad.yaml: admins[0]: \"\" (expected: a non-empty string)"),
        Arguments.of("role name with space",
            "roles:\n  'a b': {kind: database, path: x, vault_policies: [p]}\nrules: []\n",
            "bad.yaml: roles.a b: role name 'a b' "
                + "(expected: letters, digits, '.', '_' or '-', starting with a letter or digit)"),
        Arguments.of("unknown role key (typo)", role("{kind: vault-token, vault_policies: [p], token_policy: [p]}"),
            "bad.yaml: roles.t: unknown key 'token_policy' "
                + "(expected one of: kind, path, vault_policies, token_policies, sensitivity, owner, classification, requires)"),
        Arguments.of("role without kind", role("{path: database/creds/t, vault_policies: [p]}"),
            "bad.yaml: roles.t.kind: missing (expected: a credential kind such as database or vault-token)"),
        Arguments.of("database role without path", role("{kind: database, vault_policies: [p]}"),
            "bad.yaml: roles.t.path: missing (expected: a non-empty string)"),
        Arguments.of("pki role without path", role("{kind: pki, vault_policies: [p]}"),
            "bad.yaml: roles.t.path: missing (expected: a non-empty string)"),
        Arguments.of("vault-token with a path",
            role("{kind: vault-token, path: x, vault_policies: [p], token_policies: [p]}"),
            "bad.yaml: roles.t.path: x "
                + "(expected: no path for kind vault-token: its token is created, not read from a path)"),
        Arguments.of("vault-token without token_policies", role("{kind: vault-token, vault_policies: [p]}"),
            "bad.yaml: roles.t.token_policies: missing (expected: a non-empty list)"),
        Arguments.of("token_policies not a subset",
            role("{kind: vault-token, vault_policies: [p], token_policies: [p, q]}"),
            "bad.yaml: roles.t.token_policies: q (expected: a subset of vault_policies [p])"),
        Arguments.of("token_policies on a database role",
            role("{kind: database, path: x, vault_policies: [p], token_policies: [p]}"),
            "bad.yaml: roles.t.token_policies: [\"p\"] (expected: token_policies only for kind vault-token)"),
        Arguments.of("empty vault_policies", role("{kind: database, path: x, vault_policies: []}"),
            "bad.yaml: roles.t.vault_policies: [] (expected: a non-empty list)"),
        Arguments.of("root vault policy", role("{kind: database, path: x, vault_policies: [p, Root]}"),
            "bad.yaml: roles.t.vault_policies[1]: Root (expected: a Vault policy other than root)"),
        Arguments.of("unknown rule key (typo)",
            ROLE + "rules:\n  - {id: a, identities: [x], roles: [r], purposes: [p], max-ttl: 1m}\n",
            "bad.yaml: rules[0]: unknown key 'max-ttl' (expected one of: id, identities, roles, purposes, max_ttl, when)"),
        Arguments.of("rule without id",
            ROLE + "rules:\n  - {identities: [x], roles: [r], purposes: [p], max_ttl: 1m}\n",
            "bad.yaml: rules[0].id: missing (expected: a non-empty string)"),
        Arguments.of("empty rule id", rule("''", "[x]", "[r]", "[p]", "1m"),
            "bad.yaml: rules[0].id: \"\" (expected: a non-empty string)"),
        Arguments.of("rule id default-deny", rule("default-deny", "[x]", "[r]", "[p]", "1m"),
            "bad.yaml: rules[0].id: default-deny "
                + "(expected: an id other than default-deny, which names the default deny)"),
        Arguments.of("duplicate rule id",
            rule("a", "[x]", "[r]", "[p]", "1m")
                + "  - {id: a, identities: [y], roles: [r], purposes: [p], max_ttl: 1m}\n",
            "bad.yaml: rules[1].id: a (expected: a unique id; rules[0].id already uses it)"),
        Arguments.of("empty identities", rule("a", "[]", "[r]", "[p]", "1m"),
            "bad.yaml: rules[0].identities: [] (expected: a non-empty list)"),
        Arguments.of("missing identities", ROLE + "rules:\n  - {id: a, roles: [r], purposes: [p], max_ttl: 1m}\n",
            "bad.yaml: rules[0].identities: missing (expected: a non-empty list)"),
        Arguments.of("empty roles", rule("a", "[x]", "[]", "[p]", "1m"),
            "bad.yaml: rules[0].roles: [] (expected: a non-empty list)"),
        Arguments.of("empty purposes", rule("a", "[x]", "[r]", "[]", "1m"),
            "bad.yaml: rules[0].purposes: [] (expected: a non-empty list)"),
        Arguments.of("unquoted yes as purpose", rule("a", "[x]", "[r]", "[yes]", "1m"),
            "bad.yaml: rules[0].purposes[0]: true (expected: a string; quote it, YAML reads it unquoted as a boolean)"),
        Arguments.of("undeclared rule role", rule("a", "[x]", "[r, nope]", "[p]", "1m"),
            "bad.yaml: rules[0].roles[1]: nope (expected: a role declared under roles (declared: r))"),
        Arguments.of("zero max_ttl", ruleWithTtl("0s"), "bad.yaml: rules[0].max_ttl: 0s (expected: > 0)"),
        Arguments.of("negative max_ttl", ruleWithTtl("-PT1M"), "bad.yaml: rules[0].max_ttl: -PT1M (expected: > 0)"),
        Arguments.of("max_ttl above 24h", ruleWithTtl("24h1s"), "bad.yaml: rules[0].max_ttl: 24h1s (expected: <= 24h)"),
        Arguments.of("fractional max_ttl", ruleWithTtl("PT1.5S"),
            "bad.yaml: rules[0].max_ttl: PT1.5S (expected: whole seconds)"),
        Arguments.of("max_ttl in words", ruleWithTtl("fifteen"),
            "bad.yaml: rules[0].max_ttl: fifteen (expected: a duration such as 90s, 15m, 1h30m or PT15M)"),
        Arguments.of("max_ttl as a bare number", ruleWithTtl("900"),
            "bad.yaml: rules[0].max_ttl: 900 (expected: a duration such as 90s, 15m, 1h30m or PT15M)"),
        Arguments.of("max_ttl units out of order", ruleWithTtl("30m1h"),
            "bad.yaml: rules[0].max_ttl: 30m1h (expected: a duration such as 90s, 15m, 1h30m or PT15M)"),
        Arguments.of("missing max_ttl", ROLE + "rules:\n  - {id: a, identities: [x], roles: [r], purposes: [p]}\n",
            "bad.yaml: rules[0].max_ttl: missing (expected: a duration such as 90s, 15m, 1h30m or PT15M)"),
        Arguments.of("two YAML documents", ROLE + "rules: []\n---\nadmins: ['**']\n",
            "bad.yaml: more than one YAML document (expected: exactly one)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidFiles")
  void parse_invalidFile_throwsNamingTheProblem(String name, String yaml, String message) {
    assertThatThrownBy(() -> PolicyFile.parse(yaml, "bad.yaml"))
        .isInstanceOf(PolicyException.class)
        .hasMessage(message);
  }

  @Test
  void parse_duplicateKey_refusedRatherThanLastOneWins() {
    String yaml = ROLE + "  r: {kind: database, path: database/creds/other, vault_policies: [q]}\nrules: []\n";

    assertThatThrownBy(() -> PolicyFile.parse(yaml, "bad.yaml"))
        .isInstanceOf(PolicyException.class)
        .hasMessageStartingWith("bad.yaml: not valid YAML at line")
        .hasMessageContaining("'r'");
  }

  @Test
  void parse_brokenYaml_namesFileAndLine() {
    assertThatThrownBy(() -> PolicyFile.parse("roles: [unclosed\nrules: []\n", "bad.yaml"))
        .isInstanceOf(PolicyException.class)
        .hasMessageStartingWith("bad.yaml: not valid YAML at line");
  }

  @Test
  void parse_documentedExample_compilesRolesAndRules() {
    Policy policy = PolicyFile.parse(EXAMPLE, "example.yaml");

    assertThat(policy.source()).isEqualTo("example.yaml");
    assertThat(policy.roles()).containsOnlyKeys("analytics-ro", "vault-token");
    assertThat(policy.role("analytics-ro")).contains(new RoleSpec("analytics-ro", "database",
        "database/creds/analytics-ro", List.of("minter-task-analytics-ro"), List.of()));
    assertThat(policy.role("vault-token")).contains(new RoleSpec("vault-token", "vault-token", "",
        List.of("minter-task-vault-token", "agent-kv-read"), List.of("agent-kv-read")));
    assertThat(policy.rules()).singleElement().satisfies(r -> {
      assertThat(r.id()).isEqualTo("demo-agents");
      assertThat(r.identities()).containsExactly(Glob.compile("spiffe://minter.local/agents/*"));
      assertThat(r.roles()).containsExactly("analytics-ro", "vault-token");
      assertThat(r.purposes()).containsExactly(Glob.compile("report:*"), Glob.compile("demo"));
      assertThat(r.maxTtl()).isEqualTo(Duration.ofMinutes(15));
    });
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource({"90s, PT1M30S", "15m, PT15M", "1h, PT1H", "1h30m, PT1H30M", "1h0m5s, PT1H5S", "PT15M, PT15M",
      "24h, PT24H", "PT24H, PT24H"})
  void parse_maxTtlForms_acceptedAsDuration(String written, String expected) {
    Policy policy = PolicyFile.parse(ruleWithTtl(written), "ttl.yaml");

    assertThat(policy.rules().getFirst().maxTtl()).isEqualTo(Duration.parse(expected));
  }

  @Test
  void load_file_sourceIsPathAndSha256IsOfTheBytes(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("policy.yaml");
    byte[] bytes = EXAMPLE.getBytes(StandardCharsets.UTF_8);
    Files.write(file, bytes);
    String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));

    Policy policy = PolicyFile.load(file);

    assertThat(policy.source()).isEqualTo(file.toString());
    assertThat(policy.sha256()).isEqualTo(expected).hasSize(64);
    assertThat(PolicyFile.parse(EXAMPLE, "same").sha256()).isEqualTo(expected);
    assertThat(PolicyFile.parse(EXAMPLE + "\n", "changed").sha256()).isNotEqualTo(expected);
  }

  @Test
  void load_invalidFile_messageNamesThePath(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("policy.yaml");
    Files.writeString(file, ruleWithTtl("0s"));

    assertThatThrownBy(() -> PolicyFile.load(file))
        .isInstanceOf(PolicyException.class)
        .hasMessage(file + ": rules[0].max_ttl: 0s (expected: > 0)");
  }

  @Test
  void load_missingFile_throwsNamingThePath(@TempDir Path dir) {
    Path file = dir.resolve("absent.yaml");

    assertThatThrownBy(() -> PolicyFile.load(file))
        .isInstanceOf(PolicyException.class)
        .hasMessageStartingWith(file + ": cannot read policy file");
  }

  @Test
  void load_notUtf8_throwsNamingThePath(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("latin1.yaml");
    Files.write(file, new byte[] {'a', ':', ' ', (byte) 0xE9, '\n'});

    assertThatThrownBy(() -> PolicyFile.load(file))
        .isInstanceOf(PolicyException.class)
        .hasMessage(file + ": not UTF-8 text");
  }
}
