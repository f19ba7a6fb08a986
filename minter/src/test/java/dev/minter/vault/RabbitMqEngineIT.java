package dev.minter.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minter.policy.RoleSpec;
import dev.minter.testing.AmqpLogin;
import dev.minter.testing.RealStack;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rabbitmq engine against real OpenBao and a real RabbitMQ node (Debian's rabbitmq-server, started by
 * {@code stack.sh} with {@code MINTER_RABBITMQ=1}): a minted user can log in over AMQP, and is gone once its lease
 * is revoked. Logins are real AMQP 0-9-1 handshakes ({@link AmqpLogin}); the broker's view of users is asked as
 * admin on the management HTTP API.
 */
class RabbitMqEngineIT {
  static final RoleSpec AGENTS =
      new RoleSpec("mq-agents", "rabbitmq", "rabbitmq/creds/agents", List.of("task-rabbitmq-agents"), List.of());

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static RealStack stack;
  private static VaultGateway vault;
  private final RabbitMqEngine engine = new RabbitMqEngine(Clock.systemUTC());

  @BeforeAll
  static void startStack() {
    stack = RealStack.withRabbitMq();
    vault = new VaultGateway(stack.gatewayConfig(), Clock.systemUTC());
  }

  @AfterAll
  static void closeGateway() {
    vault.close();
  }

  @Test
  void mint_withTaskToken_userLogsInWithTheRolesReadOnlyPermissions() throws Exception {
    TaskToken task = task();

    MintedCredential minted = engine.mint(vault, task, AGENTS, Duration.ofMinutes(5));

    assertThat(minted.kind()).isEqualTo("rabbitmq");
    assertThat(minted.leaseType()).isEqualTo(LeaseType.LEASE);
    assertThat(minted.leaseId()).startsWith("rabbitmq/creds/agents/");
    Credential.RabbitMq mq = (Credential.RabbitMq) minted.credential();
    assertThat(amqpLogin(mq)).isTrue();
    HttpResponse<String> perms =
        asAdmin("/api/users/" + encode(mq.username()) + "/permissions");
    assertThat(perms.body()).contains("\"configure\":\"\"").contains("\"write\":\"\"").contains("\"read\":\".*\"");
    assertThat(AmqpLogin.accepted(stack.rabbitMqAmqpPort(), mq.username(), Secret.of("wrong-password"))).isFalse();
    assertThat(minted.toString()).doesNotContain(mq.password().reveal());
    vault.revokeAccessor(task.accessor());
  }

  @Test
  void revokeLease_sync_loginRefusedAndUserGone() throws Exception {
    TaskToken task = task();
    MintedCredential minted = engine.mint(vault, task, AGENTS, Duration.ofMinutes(5));
    Credential.RabbitMq mq = (Credential.RabbitMq) minted.credential();
    assertThat(amqpLogin(mq)).isTrue();

    assertThat(vault.revokeLease(minted.leaseId())).isEqualTo(RevocationOutcome.REVOKED);

    // sync=true: when revokeLease returns, OpenBao has already deleted the user on the broker.
    assertThat(amqpLogin(mq)).isFalse();
    assertThat(asAdmin("/api/users/" + encode(mq.username())).statusCode()).isEqualTo(404);
    // The management API refuses it too (401 for any unknown user or wrong password).
    assertThat(get("/api/whoami", mq.username(), mq.password()).statusCode()).isEqualTo(401);
    assertThat(vault.revokeLease(minted.leaseId())).isEqualTo(RevocationOutcome.ALREADY_GONE);
    vault.revokeAccessor(task.accessor());
  }

  @Test
  void revokeTaskToken_userGoneWithIt() throws Exception {
    TaskToken task = task();
    Credential.RabbitMq mq = (Credential.RabbitMq) engine.mint(vault, task, AGENTS, Duration.ofMinutes(5)).credential();

    vault.revokeAccessor(task.accessor());

    // Token revocation revokes its leases asynchronously: wait for the broker to lose the user.
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(300))
        .untilAsserted(() -> assertThat(amqpLogin(mq)).isFalse());
    assertThat(asAdmin("/api/users/" + encode(mq.username())).statusCode()).isEqualTo(404);
  }

  @Test
  void mint_taskWithoutTheRolesPolicy_refused403() {
    TaskToken task = vault.createTaskToken(List.of("agent-kv-read"), Duration.ofMinutes(1), Map.of());

    assertThatThrownBy(() -> engine.mint(vault, task, AGENTS, Duration.ofMinutes(1)))
        .isInstanceOf(VaultRequestException.class)
        .satisfies(e -> assertThat(((VaultRequestException) e).status()).isEqualTo(403));
    vault.revokeAccessor(task.accessor());
  }

  private static TaskToken task() {
    return vault.createTaskToken(List.of("task-rabbitmq-agents"), Duration.ofMinutes(5), Map.of("task", "mq-it"));
  }

  private static boolean amqpLogin(Credential.RabbitMq mq) throws IOException {
    return AmqpLogin.accepted(stack.rabbitMqAmqpPort(), mq.username(), mq.password());
  }

  private static HttpResponse<String> asAdmin(String path) throws IOException, InterruptedException {
    return get(path, stack.rabbitMqAdminUser(), stack.rabbitMqAdminPassword());
  }

  private static HttpResponse<String> get(String path, String user, Secret password)
      throws IOException, InterruptedException {
    String basic =
        Base64.getEncoder().encodeToString((user + ":" + password.reveal()).getBytes(StandardCharsets.UTF_8));
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(stack.rabbitMqManagementUri() + path))
            .timeout(Duration.ofSeconds(10))
            .header("Authorization", "Basic " + basic)
            .build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
