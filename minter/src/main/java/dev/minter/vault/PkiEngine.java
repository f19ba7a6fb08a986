package dev.minter.vault;

import static java.util.Objects.requireNonNull;

import dev.minter.policy.RoleSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Kind {@code pki}: a short-lived X.509 certificate from a PKI secrets engine role, issued <em>with the task
 * token</em>. The role's path is the issue endpoint, e.g. {@code pki/issue/agents}: OpenBao generates the key and
 * returns it once. With the agent's {@code csr} Minter uses the matching {@code pki/sign/agents} instead, so the
 * private key never leaves the agent.
 *
 * <p>The certificate's TTL is the task's remaining time (the role's max_ttl caps it further). A role with
 * {@code generate_lease=true} gives a lease ({@link LeaseType#LEASE}: revoking it revokes the certificate);
 * without one the certificate cannot be revoked early ({@link LeaseType#NONE}, lease id = serial), so its short
 * TTL is the only control and the receipt says "expires only".
 *
 * <p>Agent parameters: {@code common_name} (required without a CSR; with a CSR the CSR's subject is used),
 * {@code alt_names}, {@code ip_sans}, {@code uri_sans}, {@code csr} (PEM). Anything else is refused.
 */
public final class PkiEngine implements CredentialEngine {
  public static final String KIND = "pki";
  static final Set<String> PARAMETERS = Set.of("common_name", "alt_names", "ip_sans", "uri_sans", "csr");
  private static final List<String> PASS_THROUGH = List.of("common_name", "alt_names", "ip_sans", "uri_sans");

  private final Clock clock;

  public PkiEngine(Clock clock) {
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
    AgentParameters agent = AgentParameters.check(KIND, parameters, PARAMETERS);
    Optional<String> csr = agent.get("csr");
    String path = csr.isPresent() ? signPath(role) : issuePath(role);
    Map<String, Object> body = new LinkedHashMap<>();
    if (csr.isPresent()) {
      if (!csr.get().startsWith("-----BEGIN CERTIFICATE REQUEST-----")) {
        throw AgentParameters.invalid(KIND, "parameter 'csr' is not a PEM certificate request");
      }
      body.put("csr", csr.get());
    } else {
      agent.require("common_name");
    }
    for (String name : PASS_THROUGH) {
      agent.oneLine(name).ifPresent(value -> body.put(name, value));
    }
    body.put("ttl", maxTtl.toSeconds() + "s");
    body.put("format", "pem");
    body.put("private_key_format", "pkcs8"); // PKCS#8 reads everywhere (Java, Go, OpenSSL); SEC1 does not
    LeasedSecret issued = vault.write(taskToken.token(), path, body);

    String certificate = field(issued, "certificate", path);
    String serial = field(issued, "serial_number", path);
    Optional<Secret> privateKey =
        Optional.ofNullable(issued.data().get("private_key")).map(key -> Secret.of(key.toString()));
    if (csr.isPresent() && privateKey.isPresent()) {
      throw new IllegalStateException("OpenBao/Vault answered " + path + " with a private key for a CSR");
    }
    Instant notAfter = Instant.ofEpochSecond(Long.parseLong(field(issued, "expiration", path)));
    Instant now = clock.instant();
    Instant expiresAt = Engines.earliest(Engines.earliest(notAfter, now.plus(maxTtl)), taskToken.expiresAt());
    boolean leased = !issued.leaseId().isEmpty();
    return new MintedCredential(
        KIND,
        leased ? issued.leaseId() : serial,
        leased ? LeaseType.LEASE : LeaseType.NONE,
        expiresAt,
        new Credential.Certificate(certificate, caChain(issued), privateKey, serial));
  }

  /** {@code pki/issue/<role>}: the role's path as configured. */
  static String issuePath(RoleSpec role) {
    if (!role.path().contains("/issue/")) {
      throw new IllegalArgumentException(
          "role " + role.name() + ": path '" + role.path() + "' (expected: <mount>/issue/<role>)");
    }
    return role.path();
  }

  /** {@code pki/sign/<role>}: the same PKI role, signing the agent's CSR instead of generating a key. */
  static String signPath(RoleSpec role) {
    String issue = issuePath(role);
    int at = issue.lastIndexOf("/issue/");
    return issue.substring(0, at) + "/sign/" + issue.substring(at + "/issue/".length());
  }

  private static List<String> caChain(LeasedSecret issued) {
    List<String> chain = new ArrayList<>();
    if (issued.data().get("ca_chain") instanceof List<?> list) {
      list.forEach(pem -> chain.add(pem.toString()));
    } else if (issued.data().get("issuing_ca") instanceof String ca) {
      chain.add(ca);
    }
    return chain;
  }

  private static String field(LeasedSecret issued, String name, String path) {
    Object value = issued.data().get(name);
    if (value == null || value.toString().isBlank()) {
      throw new IllegalStateException("OpenBao/Vault answered " + path + " without " + name);
    }
    return value.toString();
  }
}
