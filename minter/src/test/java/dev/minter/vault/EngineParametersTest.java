package dev.minter.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minter.policy.RoleSpec;
import dev.minter.task.TaskException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Agent parameters for pki and ssh are refused before anything reaches Vault (the gateway points nowhere). */
class EngineParametersTest {
  static final RoleSpec PKI = new RoleSpec("agent-cert", "pki", "pki/issue/agents", List.of("task-pki-agents"), List.of());
  static final RoleSpec SSH =
      new RoleSpec("agent-ssh", "ssh", "ssh-client-signer/sign/agents", List.of("task-ssh-agents"), List.of());
  static final String CSR = "-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----";
  static final String KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA agent@host";

  private static final VaultGateway NOWHERE =
      new VaultGateway(
          new VaultGatewayConfig(
              URI.create("http://127.0.0.1:1"), () -> Secret.of("t"), "r", Duration.ofSeconds(1), Optional.empty()),
          Clock.systemUTC());
  private static final TaskToken TASK = new TaskToken(Secret.of("s.t"), "acc", Instant.EPOCH);

  @AfterAll
  static void close() {
    NOWHERE.close();
  }

  static Stream<Arguments> pkiRefusals() {
    return Stream.of(
        Arguments.of("unknown name", Map.of("common_name", "a.agents.minter.local", "ttl", "9999h"), "unknown parameter 'ttl'"),
        Arguments.of("no common name", Map.of(), "parameter 'common_name' is required"),
        Arguments.of("blank common name", Map.of("common_name", " "), "parameter 'common_name' is empty"),
        Arguments.of("newline in alt names", Map.of("common_name", "a", "alt_names", "b\nttl=1h"), "must be one line"),
        Arguments.of("csr not pem", Map.of("csr", "MIIB"), "'csr' is not a PEM certificate request"),
        Arguments.of("oversized", Map.of("common_name", "a".repeat(20_000)), "longer than 16384"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pkiRefusals")
  void mint_pkiBadParameters_invalidBeforeVault(String name, Map<String, String> parameters, String message) {
    assertThatThrownBy(() -> new PkiEngine(Clock.systemUTC()).mint(NOWHERE, TASK, PKI, Duration.ofMinutes(5), parameters))
        .isInstanceOf(TaskException.class)
        .hasMessageContaining(message)
        .satisfies(e -> assertThat(((TaskException) e).kind()).isEqualTo(TaskException.Kind.INVALID));
  }

  static Stream<Arguments> sshRefusals() {
    return Stream.of(
        Arguments.of("unknown name", Map.of("public_key", KEY, "cert_type", "host"), "unknown parameter 'cert_type'"),
        Arguments.of("no public key", Map.of("valid_principals", "agent"), "parameter 'public_key' is required"),
        Arguments.of("certificate as key", Map.of("public_key", "ssh-ed25519-cert-v01@openssh.com AAAA"), "not an OpenSSH public key"),
        Arguments.of("bare base64", Map.of("public_key", "AAAAC3NzaC1lZDI1NTE5"), "not an OpenSSH public key"),
        Arguments.of("newline in principals", Map.of("public_key", KEY, "valid_principals", "agent\nroot"), "must be one line"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sshRefusals")
  void mint_sshBadParameters_invalidBeforeVault(String name, Map<String, String> parameters, String message) {
    assertThatThrownBy(() -> new SshEngine(Clock.systemUTC()).mint(NOWHERE, TASK, SSH, Duration.ofMinutes(5), parameters))
        .isInstanceOf(TaskException.class)
        .hasMessageContaining(message)
        .satisfies(e -> assertThat(((TaskException) e).kind()).isEqualTo(TaskException.Kind.INVALID));
  }

  @Test
  void mint_badParameterValue_valueNotInMessage() {
    String secretish = "ssh-ed25519-cert-v01@openssh.com SECRETISH";

    assertThatThrownBy(
            () -> new SshEngine(Clock.systemUTC()).mint(NOWHERE, TASK, SSH, Duration.ofMinutes(5), Map.of("public_key", secretish)))
        .hasMessageNotContaining("SECRETISH");
  }

  @Test
  void signPath_issueRole_sameRoleOnSignEndpoint() {
    assertThat(PkiEngine.signPath(PKI)).isEqualTo("pki/sign/agents");
    RoleSpec nested = new RoleSpec("x", "pki", "pki-int/issue/issue-agents", List.of(), List.of());
    assertThat(PkiEngine.signPath(nested)).isEqualTo("pki-int/sign/issue-agents");
  }

  @Test
  void mint_pkiRoleWithoutIssuePath_configurationError() {
    RoleSpec bad = new RoleSpec("x", "pki", "pki/sign/agents", List.of(), List.of());

    assertThatThrownBy(
            () -> new PkiEngine(Clock.systemUTC()).mint(NOWHERE, TASK, bad, Duration.ofMinutes(5), Map.of("common_name", "a")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected: <mount>/issue/<role>");
  }

  @Test
  void mint_genericRoleWithoutPath_configurationError() {
    RoleSpec bad = new RoleSpec("x", "generic", "", List.of(), List.of());

    assertThatThrownBy(() -> new GenericEngine(Clock.systemUTC()).mint(NOWHERE, TASK, bad, Duration.ofMinutes(5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("path is empty");
  }
}
