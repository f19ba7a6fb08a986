package dev.minter.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.minter.attest.WorkloadIdentity;
import dev.minter.audit.AuditEvent;
import dev.minter.audit.AuditWriteException;
import dev.minter.policy.PolicyReloader.Outcome;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

class PolicyReloaderTest {
  static final WorkloadIdentity AGENT = new WorkloadIdentity("spiffe://minter.local/agents/bot", "x509_svid", Map.of());
  static final Set<String> KINDS = Set.of("database", "vault-token");
  /** Stands in for the server's role-kind check: the validator the reloader must apply on every reload. */
  static final Consumer<Policy> ROLE_KINDS =
      p -> p.roles().values().stream()
          .filter(r -> !KINDS.contains(r.kind()))
          .findFirst()
          .ifPresent(r -> {
            throw new IllegalArgumentException(p.source() + ": roles." + r.name() + ".kind: '" + r.kind() + "'");
          });

  @TempDir Path dir;
  Path file;
  final RecordingAuditLog audit = new RecordingAuditLog();
  final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  PolicyReloader reloader;

  /** A valid policy whose one rule {@code ruleId} lets agents have {@code role}. */
  static String policy(String ruleId, String role) {
    return """
        admins: ["spiffe://minter.local/operators/*"]
        roles:
          analytics-ro: {kind: database, path: database/creds/analytics-ro, vault_policies: [task-analytics-ro]}
          billing-rw: {kind: database, path: database/creds/billing-rw, vault_policies: [task-billing-rw]}
        rules:
          - {id: %s, identities: ["spiffe://minter.local/agents/*"], roles: [%s], purposes: [demo], max_ttl: 15m}
        """.formatted(ruleId, role);
  }

  static Decision decide(PolicyEngine engine, String role) {
    return engine.decide(new PolicyRequest(AGENT, "demo", List.of(role), Optional.empty()));
  }

  static String sha256(String text) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  @BeforeEach
  void setUp() throws Exception {
    file = Files.writeString(dir.resolve("policy.yaml"), policy("v1", "analytics-ro"));
    logs.start();
    ((Logger) LoggerFactory.getLogger(PolicyReloader.class)).addAppender(logs);
  }

  @AfterEach
  void tearDown() {
    ((Logger) LoggerFactory.getLogger(PolicyReloader.class)).detachAppender(logs);
    if (reloader != null) {
      reloader.close();
    }
  }

  PolicyReloader load() {
    reloader = PolicyReloader.load(file, ROLE_KINDS, audit);
    return reloader;
  }

  @Test
  void load_validFile_auditsPolicyLoadWithItsSha256() throws Exception {
    load();

    assertThat(audit.events(PolicyReloader.LOAD_EVENT)).singleElement()
        .extracting(AuditEvent::fields)
        .isEqualTo(Map.of("source", file.toString(), "sha256", sha256(policy("v1", "analytics-ro"))));
    assertThat(reloader.get().sha256()).isEqualTo(sha256(policy("v1", "analytics-ro")));
  }

  @Test
  void load_fileTheValidatorRefuses_failsStartUpWithoutAuditing() throws Exception {
    Files.writeString(file, policy("v1", "analytics-ro").replace("kind: database", "kind: ftp"));

    assertThatThrownBy(this::load).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'ftp'");
    assertThat(audit.events(PolicyReloader.LOAD_EVENT)).isEmpty();
  }

  @Test
  void reloadNow_validChange_newRuleDecidesNextAndReloadIsAuditedWithBothHashes() throws Exception {
    load();
    PolicyEngine before = reloader.get();
    assertThat(decide(before, "billing-rw")).isInstanceOf(Decision.Deny.class);

    Files.writeString(file, policy("v2", "billing-rw"));
    Outcome outcome = reloader.reloadNow();

    String oldSha = sha256(policy("v1", "analytics-ro"));
    String newSha = sha256(policy("v2", "billing-rw"));
    assertThat(outcome).isEqualTo(new Outcome.Reloaded(newSha, oldSha));
    assertThat(decide(reloader.get(), "billing-rw")).isInstanceOfSatisfying(
        Decision.Allow.class, a -> assertThat(a.grant().rule()).isEqualTo("v2"));
    assertThat(decide(reloader.get(), "analytics-ro")).isInstanceOf(Decision.Deny.class);
    // A caller that took the engine before the swap finishes its decision under the old policy.
    assertThat(decide(before, "analytics-ro")).isInstanceOf(Decision.Allow.class);
    assertThat(audit.events(PolicyReloader.RELOAD_EVENT)).singleElement()
        .extracting(AuditEvent::fields)
        .isEqualTo(Map.of(
            "source", file.toString(), "trigger", "manual", "sha256", newSha, "previous_sha256", oldSha,
            "outcome", "ok"));
    assertThat(logs.list).anySatisfy(e -> {
      assertThat(e.getLevel()).isEqualTo(Level.INFO);
      assertThat(e.getFormattedMessage()).contains("policy reloaded").contains(newSha);
    });
  }

  static Stream<Arguments> invalidFiles() {
    String valid = policy("v2", "billing-rw");
    return Stream.of(
        Arguments.of("not YAML", "roles: [unclosed\n", "not valid YAML at line"),
        Arguments.of("unknown top-level key", valid + "rulez: []\n", "rulez"),
        Arguments.of("rule names an undeclared role", valid.replace("roles: [billing-rw]", "roles: [nope]"), "nope"),
        Arguments.of("role kind no engine mints", valid.replace("kind: database", "kind: ftp"), "'ftp'"),
        Arguments.of("CEL condition that does not type-check",
            valid.replace("max_ttl: 15m}", "max_ttl: 15m, when: ['request.purpose + 1 == 2']}"), "rules[0].when[0]"),
        Arguments.of("empty file", "", "empty policy file"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidFiles")
  void reloadNow_invalidFile_keepsOldPolicyAuditsRejectionAndLogsError(String name, String content, String why)
      throws Exception {
    load();
    String oldSha = reloader.get().sha256();

    Files.writeString(file, content);
    Outcome outcome = reloader.reloadNow();

    assertThat(outcome).isInstanceOfSatisfying(Outcome.Rejected.class, r -> {
      assertThat(r.keptSha256()).isEqualTo(oldSha);
      assertThat(r.reason()).contains(file.toString()).contains(why);
    });
    assertThat(reloader.get().sha256()).isEqualTo(oldSha);
    assertThat(decide(reloader.get(), "analytics-ro")).isInstanceOf(Decision.Allow.class);
    assertThat(audit.events(PolicyReloader.RELOAD_EVENT)).singleElement().satisfies(e -> assertThat(e.fields())
        .containsEntry("outcome", "rejected")
        .containsEntry("sha256", sha256(content))
        .containsEntry("previous_sha256", oldSha)
        .hasEntrySatisfying("reason", reason -> assertThat((String) reason).contains(why)));
    assertThat(logs.list).anySatisfy(e -> {
      assertThat(e.getLevel()).isEqualTo(Level.ERROR);
      assertThat(e.getFormattedMessage()).contains(file.toString()).contains("stays in force").contains(why);
    });
  }

  @Test
  void reloadNow_deletedFile_keepsOldPolicyAndAuditsRejectionOnce() throws Exception {
    load();
    Files.delete(file);

    assertThat(reloader.reloadNow()).isInstanceOfSatisfying(
        Outcome.Rejected.class, r -> assertThat(r.reason()).contains("cannot read policy file"));
    assertThat(reloader.reloadNow()).isInstanceOf(Outcome.Unchanged.class);
    assertThat(audit.events(PolicyReloader.RELOAD_EVENT)).hasSize(1);
    assertThat(decide(reloader.get(), "analytics-ro")).isInstanceOf(Decision.Allow.class);
  }

  @Test
  void reloadNow_unchangedContent_isNeitherReloadedNorAudited() throws Exception {
    load();
    Policy before = reloader.current();
    Files.writeString(file, policy("v1", "analytics-ro")); // rewritten: new mtime, same bytes

    assertThat(reloader.reloadNow()).isInstanceOf(Outcome.Unchanged.class);
    assertThat(reloader.current()).isSameAs(before);
    assertThat(audit.events(PolicyReloader.RELOAD_EVENT)).isEmpty();
  }

  @Test
  void reloadNow_sameInvalidFileTwice_isAuditedOnce_andRevertingToThePolicyInForceIsNotAReload() throws Exception {
    load();
    Files.writeString(file, "roles: [unclosed\n");
    reloader.reloadNow();
    reloader.reloadNow();
    Files.writeString(file, policy("v1", "analytics-ro"));

    assertThat(reloader.reloadNow()).isInstanceOf(Outcome.Unchanged.class);
    assertThat(audit.events(PolicyReloader.RELOAD_EVENT)).singleElement()
        .satisfies(e -> assertThat(e.fields()).containsEntry("outcome", "rejected"));
  }

  @Test
  void reloadNow_auditCannotBeWritten_keepsOldPolicyAndRetriesTheChangeLater() throws Exception {
    load();
    Files.writeString(file, policy("v2", "billing-rw"));
    audit.failing(true);

    assertThatThrownBy(reloader::reloadNow).isInstanceOf(AuditWriteException.class);
    assertThat(decide(reloader.get(), "billing-rw")).isInstanceOf(Decision.Deny.class);

    audit.failing(false);
    assertThat(reloader.reloadNow()).isInstanceOf(Outcome.Reloaded.class);
    assertThat(decide(reloader.get(), "billing-rw")).isInstanceOf(Decision.Allow.class);
  }
}
