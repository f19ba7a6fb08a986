package dev.minter.vault;

import static java.util.Objects.requireNonNull;

import dev.minter.policy.RoleSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Kind {@code ssh}: the agent's SSH public key signed as a <em>user</em> certificate by an SSH secrets engine role
 * (path e.g. {@code ssh-client-signer/sign/agents}), with the task token. The private key never leaves the agent.
 *
 * <p>SSH certificates cannot be revoked early (sshd consults no revocation list Minter could feed), so this is
 * always {@link LeaseType#NONE} with the certificate serial as lease id: the TTL, capped at the task's remaining
 * time, is the only control, and the receipt says "expires only".
 *
 * <p>Agent parameters: {@code public_key} (OpenSSH format, required), {@code valid_principals} (comma-separated;
 * Vault refuses any outside the role's allowed_users, and gives the role's default_user when absent).
 */
public final class SshEngine implements CredentialEngine {
  public static final String KIND = "ssh";
  static final Set<String> PARAMETERS = Set.of("public_key", "valid_principals");

  private final Clock clock;

  public SshEngine(Clock clock) {
    this.clock = requireNonNull(clock, "clock");
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public MintedCredential mint(VaultGateway vault, TaskToken taskToken, RoleSpec role, Duration maxTtl) {
    return mint(vault, taskToken, role, maxTtl, Map.of());
  }

  @Override
  public MintedCredential mint(
      VaultGateway vault, TaskToken taskToken, RoleSpec role, Duration maxTtl, Map<String, String> parameters) {
    requireNonNull(vault, "vault");
    requireNonNull(taskToken, "taskToken");
    Engines.requireKind(role, KIND);
    Engines.requirePositive(maxTtl);
    if (!role.path().contains("/sign/")) {
      throw new IllegalArgumentException(
          "role " + role.name() + ": path '" + role.path() + "' (expected: <mount>/sign/<role>)");
    }
    AgentParameters agent = AgentParameters.check(KIND, parameters, PARAMETERS);
    agent.require("public_key");
    String publicKey = agent.oneLine("public_key").orElseThrow();
    if (publicKey.contains("-cert-v01@openssh.com") || publicKey.split("\\s+").length < 2) {
      throw AgentParameters.invalid(KIND, "parameter 'public_key' is not an OpenSSH public key (type base64 [comment])");
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("public_key", publicKey);
    body.put("cert_type", "user"); // never host: an agent must not be able to impersonate a server
    agent.oneLine("valid_principals").ifPresent(p -> body.put("valid_principals", p));
    body.put("ttl", maxTtl.toSeconds() + "s");
    LeasedSecret signed = vault.write(taskToken.token(), role.path(), body);

    Object signedKey = signed.data().get("signed_key");
    Object serial = signed.data().get("serial_number");
    if (!(signedKey instanceof String key) || serial == null) {
      throw new IllegalStateException("OpenBao/Vault answered " + role.path() + " without signed_key or serial_number");
    }
    // Report what Vault really signed (principals, expiry), not what was asked for.
    OpenSshCertificate cert = OpenSshCertificate.parse(key);
    Instant expiresAt =
        Engines.earliest(
            Engines.earliest(cert.validBefore(), clock.instant().plus(maxTtl)), taskToken.expiresAt());
    return new MintedCredential(
        KIND,
        serial.toString(),
        LeaseType.NONE,
        expiresAt,
        new Credential.SshCertificate(key, serial.toString(), cert.principals()));
  }
}
