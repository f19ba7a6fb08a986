package dev.minter.policy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads Minter's policy (v1; every v0 file is a valid v1 file) from YAML and validates all of it before anything may use it. A file that is not
 * exactly right is refused with a {@link PolicyException}, never loaded in part: a policy that silently drops a
 * misspelt key or an unknown role would be weaker than the one its author reviewed.
 *
 * <pre>{@code
 * admins: ["spiffe://minter.local/operators/*"]
 * require_owner: true   # optional: agents need a registered owner (minter agents register) to begin tasks
 * roles:
 *   analytics-ro: {kind: database, path: database/creds/analytics-ro, vault_policies: [minter-task-analytics-ro]}
 *   prod-admin:
 *     {kind: database, path: database/creds/prod-admin, vault_policies: [minter-task-prod-admin],
 *      sensitivity: critical, owner: dba-team, classification: pii,
 *      requires: {human_delegation: true, max_ttl: 15m, purposes: ["incident:response"]}}
 * rules:
 *   - {id: demo-agents, identities: ["spiffe://minter.local/agents/*"], roles: [analytics-ro],
 *      purposes: ["report:*"], max_ttl: 15m,
 *      when: ['identity.claims["k8s.namespace"] == "prod"',
 *             {name: office-hours, expr: 'time.hour >= 9 && time.hour < 17'}]}
 * }</pre>
 *
 * <p>The format is described in full in {@code docs/policy.md}.
 */
public final class PolicyFile {
  static final String VAULT_TOKEN = "vault-token";
  static final Duration MAX_TTL_CEILING = Duration.ofHours(24);

  private static final Set<String> TOP_KEYS = Set.of("admins", "require_owner", "roles", "rules", "quotas", "anomalies");
  private static final Set<String> ROLE_KEYS = Set.of(
      "kind", "path", "vault_policies", "token_policies", "sensitivity", "owner", "classification", "requires");
  private static final String ROLE_KEYS_EXPECTED =
      "kind, path, vault_policies, token_policies, sensitivity, owner, classification, requires";
  private static final Set<String> REQUIRES_KEYS = Set.of("human_delegation", "max_ttl", "purposes");
  private static final Set<String> RULE_KEYS = Set.of("id", "identities", "roles", "purposes", "max_ttl", "when");
  private static final Set<String> CONDITION_KEYS = Set.of("name", "expr");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final Pattern KIND = Pattern.compile("[a-z0-9][a-z0-9_-]*");
  private static final String NAME_EXPECTED = "letters, digits, '.', '_' or '-', starting with a letter or digit";

  // Duplicate keys are refused: in plain YAML the last one silently wins, hiding half of what was reviewed.
  private static final YAMLMapper YAML =
      YAMLMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
          .build();

  private PolicyFile() {}

  /** Reads, validates and compiles the policy at {@code file}; its source is the path as given. */
  public static Policy load(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new PolicyException("%s: cannot read policy file (%s)".formatted(file, e), e);
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new PolicyException("%s: not UTF-8 text".formatted(file), e);
    }
    return build(text, file.toString(), sha256(bytes));
  }

  /** Validates and compiles {@code yaml}; {@code sourceName} names it in errors and in {@link Policy#source()}. */
  public static Policy parse(String yaml, String sourceName) {
    return build(yaml, sourceName, sha256(yaml.getBytes(StandardCharsets.UTF_8)));
  }

  private static Policy build(String yaml, String source, String sha256) {
    YamlNode root = YamlNode.root(source, readSingleDocument(yaml, source));
    if (root.isMissing()) {
      throw new PolicyException(source + ": empty policy file (expected: a mapping with admins, roles, rules)");
    }
    root.onlyKeys(TOP_KEYS, "admins, require_owner, roles, rules, quotas, anomalies");
    boolean requireOwner = root.field("require_owner").bool(false);
    List<Glob> admins = root.field("admins").items().stream().map(PolicyFile::glob).toList();
    Map<String, RoleSpec> roles = roles(root.field("roles"));
    List<Rule> rules = rules(root.field("rules"), roles);
    QuotaRules quotas = QuotaRules.parse(root.field("quotas"));
    AnomalyRules anomalies = AnomalyRules.parse(root.field("anomalies"));
    return new Policy(source, sha256, admins, roles, rules, requireOwner, quotas, anomalies);
  }

  private static JsonNode readSingleDocument(String yaml, String source) {
    try (JsonParser parser = YAML.createParser(yaml)) {
      JsonNode root = YAML.readTree(parser);
      // A second "---" document would otherwise be ignored without a word.
      if (parser.nextToken() != null) {
        throw new PolicyException(source + ": more than one YAML document (expected: exactly one)");
      }
      return root;
    } catch (JsonProcessingException e) {
      var where = e.getLocation();
      String at = where == null ? "" : " at line %d, column %d".formatted(where.getLineNr(), where.getColumnNr());
      throw new PolicyException("%s: not valid YAML%s: %s".formatted(source, at, e.getOriginalMessage()), e);
    } catch (IOException e) {
      throw new PolicyException(source + ": cannot read policy (" + e + ")", e);
    }
  }

  private static Map<String, RoleSpec> roles(YamlNode node) {
    if (node.isMissing()) {
      throw node.fail("a mapping of role names to roles");
    }
    Map<String, RoleSpec> roles = new LinkedHashMap<>();
    for (var entry : node.entries().entrySet()) {
      roles.put(entry.getKey(), role(entry.getKey(), entry.getValue()));
    }
    return roles;
  }

  private static RoleSpec role(String name, YamlNode node) {
    if (!NAME.matcher(name).matches()) {
      throw node.failValue("role name '" + name + "'", NAME_EXPECTED);
    }
    node.onlyKeys(ROLE_KEYS, ROLE_KEYS_EXPECTED);
    YamlNode kindNode = node.field("kind");
    String kindExpected = "a credential kind such as database or vault-token";
    String kind = kindNode.text(kindExpected);
    if (!KIND.matcher(kind).matches()) {
      throw kindNode.fail(kindExpected);
    }
    YamlNode pathNode = node.field("path");
    String path;
    if (kind.equals(VAULT_TOKEN)) {
      if (!pathNode.isMissing()) {
        throw pathNode.fail("no path for kind vault-token: its token is created, not read from a path");
      }
      path = "";
    } else {
      path = pathNode.text();
    }
    YamlNode vaultNode = node.field("vault_policies");
    List<String> vaultPolicies = vaultNode.nonEmptyItems().stream().map(PolicyFile::vaultPolicy).toList();
    YamlNode tokenNode = node.field("token_policies");
    List<String> tokenPolicies;
    if (kind.equals(VAULT_TOKEN)) {
      // Vault gives a child token created without policies all of its parent's: here, the task token's
      // power to mint. An explicit, non-empty list is the only safe default.
      tokenPolicies = tokenNode.nonEmptyItems().stream().map(PolicyFile::vaultPolicy).toList();
      for (String p : tokenPolicies) {
        if (!vaultPolicies.contains(p)) {
          throw tokenNode.failValue(p, "a subset of vault_policies " + vaultPolicies);
        }
      }
    } else {
      if (!tokenNode.isMissing()) {
        throw tokenNode.fail("token_policies only for kind vault-token");
      }
      tokenPolicies = List.of();
    }
    YamlNode sensitivityNode = node.field("sensitivity");
    String sensitivity = sensitivityNode.isMissing() ? "low" : sensitivityNode.text();
    if (!RoleSpec.SENSITIVITIES.contains(sensitivity)) {
      throw sensitivityNode.fail("one of " + String.join(", ", RoleSpec.SENSITIVITIES));
    }
    return new RoleSpec(name, kind, path, vaultPolicies, tokenPolicies, sensitivity,
        optionalText(node.field("owner")), optionalText(node.field("classification")), requires(node.field("requires")));
  }

  private static String optionalText(YamlNode node) {
    return node.isMissing() ? "" : node.text();
  }

  private static RoleSpec.Requirements requires(YamlNode node) {
    if (node.isMissing()) {
      return RoleSpec.Requirements.NONE;
    }
    node.onlyKeys(REQUIRES_KEYS, "human_delegation, max_ttl, purposes");
    boolean human = node.field("human_delegation").bool(false);
    YamlNode ttlNode = node.field("max_ttl");
    Optional<Duration> maxTtl = ttlNode.isMissing() ? Optional.empty() : Optional.of(maxTtl(ttlNode));
    YamlNode purposesNode = node.field("purposes");
    List<String> purposes = purposesNode.isMissing() ? List.of() : purposesNode.nonEmptyItems().stream()
        .map(p -> {
          String purpose = p.text();
          // A closed list is compared exactly: a '*' here would silently reopen it, or never match at all.
          if (purpose.contains("*")) {
            throw p.fail("an exact purpose without '*' (requires.purposes is a closed list)");
          }
          return purpose;
        })
        .toList();
    return new RoleSpec.Requirements(human, maxTtl, purposes);
  }

  private static String vaultPolicy(YamlNode node) {
    String policy = node.text();
    // Vault lowercases policy names, so "Root" is root: no task may ever carry it.
    if (policy.equalsIgnoreCase("root")) {
      throw node.fail("a Vault policy other than root");
    }
    if (!policy.strip().equals(policy) || policy.chars().anyMatch(Character::isWhitespace)) {
      throw node.fail("a Vault policy name without whitespace");
    }
    return policy;
  }

  private static List<Rule> rules(YamlNode node, Map<String, RoleSpec> roles) {
    if (node.isMissing()) {
      throw node.fail("a list of rules");
    }
    Map<String, String> idPaths = new LinkedHashMap<>();
    return node.items().stream().map(r -> rule(r, roles, idPaths)).toList();
  }

  private static Rule rule(YamlNode node, Map<String, RoleSpec> roles, Map<String, String> idPaths) {
    node.onlyKeys(RULE_KEYS, "id, identities, roles, purposes, max_ttl, when");
    YamlNode idNode = node.field("id");
    String id = idNode.text();
    if (!NAME.matcher(id).matches()) {
      throw idNode.fail(NAME_EXPECTED);
    }
    if (id.equals(Decision.Deny.DEFAULT_DENY)) {
      throw idNode.fail("an id other than " + Decision.Deny.DEFAULT_DENY + ", which names the default deny");
    }
    String earlier = idPaths.putIfAbsent(id, idNode.path());
    if (earlier != null) {
      throw idNode.fail("a unique id; " + earlier + " already uses it");
    }
    List<Glob> identities = node.field("identities").nonEmptyItems().stream().map(PolicyFile::glob).toList();
    List<String> ruleRoles = node.field("roles").nonEmptyItems().stream()
        .map(r -> {
          String name = r.text();
          if (!roles.containsKey(name)) {
            throw r.fail("a role declared under roles (declared: " + String.join(", ", roles.keySet()) + ")");
          }
          return name;
        })
        .toList();
    List<Glob> purposes = node.field("purposes").nonEmptyItems().stream().map(PolicyFile::glob).toList();
    Duration maxTtl = maxTtl(node.field("max_ttl"));
    return new Rule(id, identities, ruleRoles, purposes, maxTtl, conditions(node.field("when"), id));
  }

  /** Each item is an expression, or {@code {name, expr}} so that denials can name it. All compile now or never. */
  private static List<Condition> conditions(YamlNode node, String ruleId) {
    List<YamlNode> items = node.items();
    if (items.size() > CelConditions.MAX_CONDITIONS) {
      throw node.fail("at most " + CelConditions.MAX_CONDITIONS + " conditions");
    }
    List<Condition> conditions = new java.util.ArrayList<>();
    for (YamlNode item : items) {
      String name;
      YamlNode exprNode;
      if (item.isMapping()) {
        item.onlyKeys(CONDITION_KEYS, "name, expr");
        YamlNode nameNode = item.field("name");
        name = nameNode.isMissing() ? null : nameNode.text();
        exprNode = item.field("expr");
      } else {
        name = null;
        exprNode = item;
      }
      String expr = exprNode.text("a CEL expression (a string), or {name: ..., expr: ...}");
      conditions.add(CelConditions.compile(name == null ? expr : name, expr, item.where() + " (rule '" + ruleId + "')"));
    }
    return List.copyOf(conditions);
  }

  private static Duration maxTtl(YamlNode node) {
    String expected = "a duration such as 90s, 15m, 1h30m or PT15M";
    Duration ttl = Durations.parse(node.text(expected)).orElseThrow(() -> node.fail(expected));
    if (ttl.isNegative() || ttl.isZero()) {
      throw node.fail("> 0");
    }
    if (ttl.compareTo(MAX_TTL_CEILING) > 0) {
      throw node.fail("<= 24h");
    }
    // Vault TTLs are whole seconds; a fraction would be silently dropped on the way there.
    if (ttl.getNano() != 0) {
      throw node.fail("whole seconds");
    }
    return ttl;
  }

  private static Glob glob(YamlNode node) {
    return Glob.compile(node.text());
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
