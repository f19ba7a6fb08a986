package dev.minter.vault;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.minter.policy.RoleSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Kind {@code generic}: whatever a Vault path declared by the role returns on a read (e.g. a secrets engine's
 * {@code creds/<role>} endpoint Minter has no dedicated engine for), read <em>with the task token</em>.
 *
 * <p>The answer must carry a lease: a path without one (KV, a static secret) cannot be revoked with the task and
 * would outlive it, so it is refused. Every value is handed to the agent as a {@link Secret} (non-strings as JSON),
 * because Minter cannot know which fields of an arbitrary answer are sensitive.
 */
public final class GenericEngine implements CredentialEngine {
  public static final String KIND = "generic";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Clock clock;

  public GenericEngine(Clock clock) {
    this.clock = requireNonNull(clock, "clock");
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public MintedCredential mint(VaultGateway vault, TaskToken taskToken, RoleSpec role, Duration maxTtl) {
    requireNonNull(vault, "vault");
    requireNonNull(taskToken, "taskToken");
    Engines.requireKind(role, KIND);
    Engines.requirePositive(maxTtl);
    if (role.path().isBlank()) {
      throw new IllegalArgumentException("role " + role.name() + ": path is empty (expected: e.g. <mount>/creds/<role>)");
    }
    LeasedSecret secret = vault.read(taskToken.token(), role.path());
    if (secret.leaseId().isEmpty()) {
      throw new IllegalStateException(
          "OpenBao/Vault path " + role.path() + " (role " + role.name() + ") returned no lease: it cannot be revoked"
              + " with the task, so kind generic refuses it");
    }
    Map<String, Secret> data = new LinkedHashMap<>();
    secret.data().forEach((key, value) -> data.put(key, Secret.of(text(key, value))));
    Instant now = clock.instant();
    Instant expiresAt =
        Engines.earliest(Engines.earliest(now.plus(secret.leaseDuration()), now.plus(maxTtl)), taskToken.expiresAt());
    return new MintedCredential(KIND, secret.leaseId(), LeaseType.LEASE, expiresAt, new Credential.Generic(data));
  }

  private static String text(String key, Object value) {
    if (value instanceof String s) {
      return s;
    }
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      // The value never goes into the message: it is secret.
      throw new IllegalStateException("value of '" + key + "' cannot be written as JSON");
    }
  }
}
