package dev.minter.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minter.testing.RealStack;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Least privilege of Minter's own token (vault-policies/minter.hcl + the minter-task role), proved against the
 * real OpenBao: a stolen Minter token can mint task tokens within the role and revoke, nothing else.
 */
class MinterPolicyIT {
  private static RealStack stack;
  private static VaultGateway vault;
  private static VaultGateway otherRole;
  private static VaultTransport transport;
  private static Secret minterToken;

  @BeforeAll
  static void startStack() {
    stack = RealStack.get();
    vault = new VaultGateway(stack.gatewayConfig(), Clock.systemUTC());
    // A second token role that Minter's policy does not name: Minter must not be able to use it.
    assertThat(
            stack.asRoot("POST", "auth/token/roles/not-minters", Map.of("allowed_policies", "task-analytics-ro"))
                .status())
        .isEqualTo(204);
    VaultGatewayConfig config = stack.gatewayConfig();
    otherRole =
        new VaultGateway(
            new VaultGatewayConfig(
                config.address(), config.minterToken(), "not-minters", config.requestTimeout(), config.sslContext()),
            Clock.systemUTC());
    transport = new VaultTransport(config, HttpClient.newHttpClient());
    minterToken = config.minterToken().get();
  }

  @AfterAll
  static void close() {
    vault.close();
    otherRole.close();
  }

  static Stream<Arguments> forbidden() {
    Duration ttl = Duration.ofMinutes(1);
    return Stream.of(
        Arguments.of(
            "read database credentials itself", 403,
            (ThrowingCallable) () -> vault.read(minterToken, "database/creds/analytics-ro")),
        Arguments.of(
            "write a policy", 403,
            (ThrowingCallable) () ->
                transport.write("sys/policies/acl/evil", minterToken, Map.of("policy", "path \"*\" { capabilities = [\"sudo\"] }"))),
        Arguments.of(
            "create tokens from another role", 403,
            (ThrowingCallable) () -> otherRole.createTaskToken(List.of("task-analytics-ro"), ttl, Map.of())),
        Arguments.of(
            "create tokens without a role", 403,
            (ThrowingCallable) () ->
                transport.write("auth/token/create", minterToken, Map.of("policies", List.of("task-analytics-ro")))),
        Arguments.of(
            "create child task tokens (only a task token may, for its own children)", 403,
            (ThrowingCallable) () ->
                transport.write(
                    "auth/token/create/minter-task-child", minterToken, Map.of("policies", List.of("task-analytics-ro")))),
        Arguments.of(
            "give a task its own minter policy", 400,
            (ThrowingCallable) () -> vault.createTaskToken(List.of("minter"), ttl, Map.of())),
        Arguments.of(
            "give a task the root policy", 400,
            (ThrowingCallable) () -> vault.createTaskToken(List.of("task-analytics-ro", "root"), ttl, Map.of())),
        Arguments.of(
            "revoke leases by prefix", 403,
            (ThrowingCallable) () -> transport.write("sys/leases/revoke-prefix/database", minterToken, Map.of())),
        Arguments.of(
            "change the token role", 403,
            (ThrowingCallable) () ->
                transport.write("auth/token/roles/minter-task", minterToken, Map.of("allowed_policies", "root"))),
        Arguments.of(
            "reconfigure the database connection", 403,
            (ThrowingCallable) () -> vault.read(minterToken, "database/config/analytics")));
  }

  @ParameterizedTest(name = "minter token cannot {0}")
  @MethodSource("forbidden")
  void minterToken_forbiddenAction_refused(String action, int status, ThrowingCallable attempt) {
    assertThatThrownBy(attempt)
        .isInstanceOf(VaultRequestException.class)
        .satisfies(e -> assertThat(((VaultRequestException) e).status()).isEqualTo(status))
        .hasMessageNotContaining(minterToken.reveal());
  }
}
