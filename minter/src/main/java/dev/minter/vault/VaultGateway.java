package dev.minter.vault;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one way Minter talks to OpenBao/Vault: vault-java-driver over ONE shared keep-alive {@link HttpClient}.
 *
 * <p>Methods that act <em>as Minter</em> use Minter's own narrow token (vault-policies/minter.hcl: create task
 * tokens from one role, revoke and look up by accessor or lease id, renew itself). Methods that take a task token
 * act <em>as the task</em>, so every lease they create belongs to the task and dies with it.
 *
 * <p>Faults: unreachable, timed out, 5xx or sealed → {@link VaultUnavailableException} (retry later); 4xx →
 * {@link VaultRequestException} with Vault's status and error text. No token ever appears in a message.
 */
public final class VaultGateway implements AutoCloseable {
  /**
   * The policy every task token carries so that it can be the parent of a sub-agent's child task
   * (vault-policies/minter-task-delegate.hcl): it allows creating tokens through {@link #CHILD_ROLE_SUFFIX the child
   * role} and nothing else. Only Minter ever holds a task token; no token handed to an agent may carry it.
   */
  public static final String DELEGATE_POLICY = "minter-task-delegate";

  /** The child-task token role is the task token role's name plus this ({@code minter-task-child}). */
  public static final String CHILD_ROLE_SUFFIX = "-child";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final VaultGatewayConfig config;
  private final Clock clock;
  private final HttpClient http;
  private final VaultTransport transport;

  public VaultGateway(VaultGatewayConfig config, Clock clock) {
    this.config = requireNonNull(config, "config");
    this.clock = requireNonNull(clock, "clock");
    HttpClient.Builder builder =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(config.requestTimeout())
            .followRedirects(HttpClient.Redirect.NEVER);
    config.sslContext().ifPresent(builder::sslContext);
    this.http = builder.build();
    this.transport = new VaultTransport(config, http);
  }

  /**
   * Creates a task's orphan service token from Minter's token role, as Minter. TTL and explicit max TTL are both
   * {@code ttl} and it is not renewable, so the task lives exactly that long even if Minter dies. The token also
   * carries {@link #DELEGATE_POLICY}, so the task can later be the parent of a sub-agent's child task.
   */
  public TaskToken createTaskToken(List<String> policies, Duration ttl, Map<String, String> metadata) {
    return taskToken("auth/token/create/" + config.tokenRole(), minterToken(), policies, ttl, metadata);
  }

  /**
   * Creates a sub-agent's child task token <em>with the parent task's token</em>, through the child token role
   * ({@code orphan=false}), so OpenBao/Vault makes it a child of the parent: revoking or expiring the parent task
   * revokes the child task and every lease minted for it. Same TTL rules as {@link #createTaskToken}.
   *
   * <p>The role lets the parent pick any policy on its allowed list, not only the parent's own: the caller must have
   * checked child ⊆ parent before it asks.
   */
  public TaskToken createChildTaskToken(
      Secret parentTaskToken, List<String> policies, Duration ttl, Map<String, String> metadata) {
    requireNonNull(parentTaskToken, "parentTaskToken");
    String path = "auth/token/create/" + config.tokenRole() + CHILD_ROLE_SUFFIX;
    return taskToken(path, parentTaskToken, policies, ttl, metadata);
  }

  private TaskToken taskToken(
      String path, Secret creator, List<String> policies, Duration ttl, Map<String, String> metadata) {
    requireNonNull(policies, "policies");
    if (policies.isEmpty()) {
      throw new IllegalArgumentException("policies: [] (expected: at least one policy)");
    }
    List<String> withDelegate = new ArrayList<>(policies);
    if (!withDelegate.contains(DELEGATE_POLICY)) {
      withDelegate.add(DELEGATE_POLICY);
    }
    Map<String, Object> body = tokenRequest(withDelegate, ttl, metadata);
    JsonNode auth = transport.write(path, creator, body).path("auth");
    Instant now = clock.instant(); // after the answer: expiresAt is then never earlier than Vault's own expiry
    return new TaskToken(
        Secret.of(text(auth, "client_token", path)),
        text(auth, "accessor", path),
        now.plusSeconds(auth.path("lease_duration").asLong()));
  }

  /** Reads a dynamic secret with the task token (so the lease belongs to the task). */
  public LeasedSecret read(Secret taskToken, String path) {
    requireNonNull(taskToken, "taskToken");
    return leased(transport.read(requirePath(path), taskToken));
  }

  /**
   * Writes to a credential endpoint with the task token (e.g. {@code pki/issue/<role>},
   * {@code ssh/sign/<role>}), so any lease it creates belongs to the task. The lease id is empty when the endpoint
   * creates none. Same faults as {@link #read}.
   */
  public LeasedSecret write(Secret taskToken, String path, Map<String, ?> body) {
    requireNonNull(taskToken, "taskToken");
    return leased(transport.write(requirePath(path), taskToken, new LinkedHashMap<>(requireNonNull(body, "body"))));
  }

  private static LeasedSecret leased(JsonNode response) {
    Map<String, Object> data = new LinkedHashMap<>();
    response.path("data").properties().forEach(e -> {
      if (!e.getValue().isNull()) {
        data.put(e.getKey(), JSON.convertValue(e.getValue(), Object.class));
      }
    });
    return new LeasedSecret(
        response.path("lease_id").asText(""),
        Duration.ofSeconds(response.path("lease_duration").asLong()),
        data);
  }

  /**
   * Creates a child token of {@code parentToken}, <em>with</em> the parent token (OpenBao/Vault have no "parent"
   * parameter), so revoking or expiring the parent revokes the child. {@code policies} must be non-empty: a child
   * asked for with no policies would inherit every policy of its parent.
   */
  public Credential.VaultToken createChildToken(
      Secret parentToken, List<String> policies, Duration ttl, Map<String, String> metadata) {
    requireNonNull(parentToken, "parentToken");
    if (requireNonNull(policies, "policies").contains(DELEGATE_POLICY)) {
      // A token handed to an agent that could create task tokens would let the agent mint outside Minter's checks.
      throw new IllegalArgumentException("policies: " + policies + " (expected: never " + DELEGATE_POLICY + ")");
    }
    Map<String, Object> body = tokenRequest(policies, ttl, metadata);
    JsonNode auth = transport.write("auth/token/create", parentToken, body).path("auth");
    List<String> granted = new ArrayList<>();
    auth.path("token_policies").forEach(p -> granted.add(p.asText()));
    return new Credential.VaultToken(
        Secret.of(text(auth, "client_token", "auth/token/create")),
        text(auth, "accessor", "auth/token/create"),
        granted);
  }

  /**
   * Revokes a lease with {@code sync=true} (as Minter): on {@link RevocationOutcome#REVOKED} the backend has
   * confirmed, e.g. the database user is dropped. A lease Vault no longer knows (expired, revoked before) is
   * {@link RevocationOutcome#ALREADY_GONE}: revoking it would "succeed" silently, so it is looked up first.
   */
  public RevocationOutcome revokeLease(String leaseId) {
    requireId(leaseId, "leaseId");
    try {
      transport.write("sys/leases/lookup", minterToken(), Map.of("lease_id", leaseId));
    } catch (VaultRequestException e) {
      if (e.status() == 400 && e.getMessage().contains("invalid lease")) {
        return RevocationOutcome.ALREADY_GONE;
      }
      throw e;
    }
    transport.write("sys/leases/revoke", minterToken(), Map.of("lease_id", leaseId, "sync", true));
    return RevocationOutcome.REVOKED;
  }

  /**
   * Revokes a token, its children and all their leases by accessor (as Minter). An unknown accessor is
   * {@link RevocationOutcome#ALREADY_GONE} (Vault would only warn).
   */
  public RevocationOutcome revokeAccessor(String accessor) {
    if (lookupAccessor(accessor).isEmpty()) {
      return RevocationOutcome.ALREADY_GONE;
    }
    transport.write("auth/token/revoke-accessor", minterToken(), Map.of("accessor", accessor));
    return RevocationOutcome.REVOKED;
  }

  /** Looks a token up by accessor (as Minter); empty when Vault does not know it (expired or revoked). */
  public Optional<TokenLookup> lookupAccessor(String accessor) {
    requireId(accessor, "accessor");
    JsonNode data;
    try {
      data = transport.write("auth/token/lookup-accessor", minterToken(), Map.of("accessor", accessor)).path("data");
    } catch (VaultRequestException e) {
      if (e.status() == 400 && e.getMessage().contains("invalid accessor")) {
        return Optional.empty();
      }
      throw e;
    }
    List<String> policies = new ArrayList<>();
    data.path("policies").forEach(p -> policies.add(p.asText()));
    Map<String, String> meta = new LinkedHashMap<>();
    data.path("meta").properties().forEach(e -> meta.put(e.getKey(), e.getValue().asText()));
    return Optional.of(
        new TokenLookup(
            accessor,
            policies,
            meta,
            Duration.ofSeconds(data.path("ttl").asLong()),
            data.path("orphan").asBoolean(),
            data.path("renewable").asBoolean(),
            data.path("type").asText("service")));
  }

  /** Whether the token behind {@code accessor} still works. */
  public boolean tokenAlive(String accessor) {
    return lookupAccessor(accessor).isPresent();
  }

  /** Renews Minter's own (periodic) token; returns its new TTL. */
  public Duration renewSelf() {
    JsonNode auth = transport.write("auth/token/renew-self", minterToken(), Map.of()).path("auth");
    return Duration.ofSeconds(auth.path("lease_duration").asLong());
  }

  /** The server this gateway talks to (for messages and health output). */
  public String address() {
    return config.address().toString();
  }

  @Override
  public void close() {
    http.close();
  }

  private Secret minterToken() {
    return requireNonNull(config.minterToken().get(), "minterToken supplier returned null");
  }

  private static Map<String, Object> tokenRequest(
      List<String> policies, Duration ttl, Map<String, String> metadata) {
    requireNonNull(policies, "policies");
    requireNonNull(ttl, "ttl");
    requireNonNull(metadata, "metadata");
    if (policies.isEmpty()) {
      // An empty list does not mean "no policies": Vault then copies the caller's policies onto the new token.
      throw new IllegalArgumentException("policies: [] (expected: at least one policy)");
    }
    if (ttl.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("ttl: " + ttl + " (expected: >= PT1S)");
    }
    String seconds = ttl.toSeconds() + "s";
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("policies", List.copyOf(policies));
    body.put("ttl", seconds);
    body.put("explicit_max_ttl", seconds);
    body.put("renewable", false);
    body.put("no_default_policy", true);
    body.put("meta", Map.copyOf(metadata));
    return body;
  }

  private static String text(JsonNode node, String field, String path) {
    String value = node.path(field).asText("");
    if (value.isEmpty()) {
      throw new IllegalStateException("OpenBao/Vault answered " + path + " without auth." + field);
    }
    return value;
  }

  private static String requirePath(String path) {
    requireNonNull(path, "path");
    if (path.isBlank() || path.startsWith("/") || path.startsWith("v1/")) {
      throw new IllegalArgumentException("path: '" + path + "' (expected: e.g. database/creds/analytics-ro)");
    }
    return path;
  }

  private static void requireId(String id, String name) {
    requireNonNull(id, name);
    if (id.isBlank()) {
      throw new IllegalArgumentException(name + ": '' (expected: non-blank)");
    }
  }
}
