package dev.minter.config;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Minter's server configuration (YAML; see README "Configuration"). Relative paths are resolved against the
 * directory of the configuration file by {@link ConfigLoader}.
 *
 * @param listen host:port of the gRPC listener
 * @param tls the server's certificate and key
 * @param trustDomains SPIFFE trust domain → PEM bundle of its X.509 authorities
 * @param vault how to reach Vault/OpenBao
 * @param ledger where Minter keeps its state
 * @param audit where the audit log goes
 * @param policy the policy file
 * @param maintenanceInterval how often expiry and queued revocations are processed
 * @param identityDomain the trust domain non-SPIFFE identities are normalized under (default: {@code minter.local})
 * @param clockSkew how far clocks may disagree when checking evidence validity (default 30s)
 * @param attestors per-kind attestor settings; a kind is enabled by having a section ({@code x509_svid} is on whenever
 *     {@code trust_domains} is set)
 * @param trustBundles SPIFFE bundle files, bundle endpoints and the Workload API (rotating trust sources), or null
 * @param baseDir where relative paths in attestor settings resolve (set by {@link ConfigLoader}: the file's folder)
 * @param agents agent inventory settings (auto-suspension of idle agents)
 * @param delegation trusted issuers of human → agent delegation tokens (read by {@code DelegationConfig}), or null:
 *     delegation tokens are refused
 * @param metrics where Prometheus metrics are served; null: not served
 * @param policyReload how changes to the policy file are picked up (default: watched, re-hashed every 2s)
 * @param posture where posture signals come from, or null: none
 */
public record MinterConfig(
    String listen,
    Tls tls,
    @JsonProperty("trust_domains") Map<String, Path> trustDomains,
    Vault vault,
    Ledger ledger,
    Audit audit,
    Path policy,
    @JsonProperty("maintenance_interval") Duration maintenanceInterval,
    @JsonProperty("identity_domain") String identityDomain,
    @JsonProperty("clock_skew") Duration clockSkew,
    Map<String, JsonNode> attestors,
    @JsonProperty("trust_bundles") JsonNode trustBundles,
    @JsonProperty("base_dir") Path baseDir,
    AgentSettings agents,
    JsonNode delegation,
    Metrics metrics,
    @JsonProperty("policy_reload") PolicyReloadSettings policyReload,
    PostureSettings posture) {
  public MinterConfig {
    requireNonNull(listen, "listen");
    requireNonNull(tls, "tls");
    trustDomains = trustDomains == null ? Map.of() : Map.copyOf(trustDomains);
    requireNonNull(vault, "vault");
    requireNonNull(ledger, "ledger");
    requireNonNull(audit, "audit");
    requireNonNull(policy, "policy");
    maintenanceInterval = maintenanceInterval == null ? Duration.ofSeconds(5) : maintenanceInterval;
    identityDomain = identityDomain == null ? "minter.local" : identityDomain;
    clockSkew = clockSkew == null ? Duration.ofSeconds(30) : clockSkew;
    attestors = attestors == null ? Map.of() : Map.copyOf(attestors);
    baseDir = baseDir == null ? Path.of("").toAbsolutePath() : baseDir;
    agents = agents == null ? new AgentSettings(null) : agents;
    policyReload = policyReload == null ? PolicyReloadSettings.DEFAULT : policyReload;
  }

  /** This config with relative attestor paths resolving against {@code dir}. */
  MinterConfig withBaseDir(Path dir) {
    return new MinterConfig(
        listen, tls, trustDomains, vault, ledger, audit, policy, maintenanceInterval, identityDomain, clockSkew,
        attestors, trustBundles, dir, agents, delegation, metrics, policyReload, posture);
  }

  /**
   * The agent inventory's settings.
   *
   * @param autoSuspendAfter suspend ACTIVE agents not seen for this long (e.g. {@code 720h} or {@code P30D}); null:
   *     never
   */
  public record AgentSettings(@JsonProperty("auto_suspend_after") Duration autoSuspendAfter) {
    public AgentSettings {
      if (autoSuspendAfter != null && (autoSuspendAfter.isNegative() || autoSuspendAfter.isZero())) {
        throw new IllegalArgumentException("agents.auto_suspend_after: " + autoSuspendAfter + " (expected: > 0)");
      }
    }
  }

  /** @param listen host:port of the Prometheus endpoint ({@code GET /metrics}), e.g. {@code 127.0.0.1:9464} */
  public record Metrics(String listen) {
    public Metrics {
      requireNonNull(listen, "metrics.listen");
    }
  }

  /** The listener's certificate chain and private key (PEM). */
  public record Tls(Path cert, Path key) {
    public Tls {
      requireNonNull(cert, "tls.cert");
      requireNonNull(key, "tls.key");
    }
  }

  /**
   * @param address e.g. {@code http://127.0.0.1:8200}
   * @param tokenFile file holding Minter's own (narrow) token
   * @param tokenRole the token role task tokens are created from
   * @param timeout per-request timeout
   * @param caFile CA bundle for an https address (optional)
   */
  public record Vault(
      String address,
      @JsonProperty("token_file") Path tokenFile,
      @JsonProperty("token_role") String tokenRole,
      Duration timeout,
      @JsonProperty("ca_file") Path caFile) {
    public Vault {
      requireNonNull(address, "vault.address");
      requireNonNull(tokenFile, "vault.token_file");
      tokenRole = tokenRole == null ? "minter-task" : tokenRole;
      timeout = timeout == null ? Duration.ofSeconds(10) : timeout;
    }
  }

  /** @param sqlite the SQLite file; @param keyFile the 0600 file holding the key that encrypts task tokens */
  public record Ledger(Path sqlite, @JsonProperty("key_file") Path keyFile) {
    public Ledger {
      requireNonNull(sqlite, "ledger.sqlite");
      requireNonNull(keyFile, "ledger.key_file");
    }
  }

  /** @param file the JSON Lines audit log */
  public record Audit(Path file) {
    public Audit {
      requireNonNull(file, "audit.file");
    }
  }
}
