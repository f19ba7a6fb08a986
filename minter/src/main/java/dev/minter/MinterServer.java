package dev.minter;

import dev.minter.anomaly.AnomalyDetector;
import dev.minter.anomaly.AnomalyGuard;
import dev.minter.api.AdminAgents;
import dev.minter.api.AdminService;
import dev.minter.api.AttestationInterceptor;
import dev.minter.api.MinterService;
import dev.minter.api.ServerTls;
import dev.minter.attest.PemBundleSource;
import dev.minter.attest.AttestorEnvironment;
import dev.minter.attest.Attestors;
import dev.minter.attest.InMemoryReplayGuard;
import dev.minter.attest.NonceStore;
import dev.minter.attest.TofuPins;
import dev.minter.attest.bundle.TrustBundles;
import java.net.http.HttpClient;
import java.time.Duration;
import dev.minter.audit.AuditLog;
import dev.minter.audit.JsonlAuditLog;
import dev.minter.config.MinterConfig;
import dev.minter.delegation.DelegationConfig;
import dev.minter.delegation.DelegationTokenVerifier;
import dev.minter.ledger.Ledger;
import dev.minter.metrics.MetricsEndpoint;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import dev.minter.ledger.SqliteLedger;
import dev.minter.ledger.TokenCipher;
import dev.minter.policy.PolicyEngine;
import dev.minter.policy.Policy;
import dev.minter.policy.PolicyReloader;
import dev.minter.policy.RoleSpec;
import dev.minter.tls.TrustStores;
import dev.minter.vault.VaultGatewayConfig;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import dev.minter.task.AgentLifecycle;
import dev.minter.delegation.GrantKeyFile;
import dev.minter.delegation.GrantTokens;
import dev.minter.task.ChildGrants;
import dev.minter.task.Delegations;
import dev.minter.task.Delegator;
import dev.minter.task.Inventory;
import dev.minter.task.PolicyContexts;
import dev.minter.task.QuotaGuard;
import dev.minter.task.TaskGuard;
import dev.minter.posture.PostureSource;
import dev.minter.posture.PostureSources;
import dev.minter.task.TaskRevoker;
import dev.minter.task.TaskService;
import dev.minter.vault.CredentialEngines;
import dev.minter.vault.VaultGateway;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: builds every component from a {@link MinterConfig} with plain constructors, serves gRPC over
 * TLS, and runs the maintenance loop (task expiry, queued revocations, renewal of Minter's own Vault token).
 */
public final class MinterServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MinterServer.class);

  private final Server server;
  private final Maintenance maintenance;
  private final ExecutorService executor;
  private final Deque<AutoCloseable> closeables;

  private MinterServer(Server server, Maintenance maintenance, ExecutorService executor, Deque<AutoCloseable> closeables) {
    this.server = server;
    this.maintenance = maintenance;
    this.executor = executor;
    this.closeables = closeables;
  }

  /** Starts a server from {@code config} with the system clock. */
  public static MinterServer start(MinterConfig config) throws Exception {
    return builder(config).start();
  }

  public static Builder builder(MinterConfig config) {
    return new Builder(config);
  }

  /** The port the server listens on (useful when the config asked for port 0). */
  public int port() {
    return server.getPort();
  }

  /** Processes expiry and queued revocations now (the maintenance loop does it every interval). */
  public void runMaintenance() {
    maintenance.runOnce();
  }

  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  @Override
  public void close() {
    server.shutdown();
    try {
      if (!server.awaitTermination(10, TimeUnit.SECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
    maintenance.close();
    executor.shutdownNow();
    while (!closeables.isEmpty()) {
      try {
        closeables.pop().close();
      } catch (Exception e) {
        log.warn("error while closing: {}", e.toString());
      }
    }
  }

  /**
   * The attestors {@code config} enables, built exactly as the server builds them (also used by
   * {@code minter attest check}, so an operator sees the server's verdict).
   */
  public static Attestors attestors(
      MinterConfig config, Clock clock, NonceStore nonces, HttpClient http, TofuPins pins, TrustBundles trust)
      throws Exception {
    AttestorEnvironment env =
        new AttestorEnvironment(
            clock,
            config.clockSkew(),
            new InMemoryReplayGuard(clock, 1_000_000),
            nonces,
            http,
            config.identityDomain(),
            trust,
            config.baseDir(),
            trust,
            pins);
    boolean x509 = !config.trustDomains().isEmpty() || config.trustBundles() != null;
    return Attestors.build(config.attestors(), env, x509);
  }

  /** The trust sources of {@code config}: PEM trust_domains plus the rotating trust_bundles. */
  public static TrustBundles trustBundles(MinterConfig config, HttpClient http, Clock clock) throws Exception {
    return TrustBundles.build(
        new PemBundleSource(config.trustDomains(), clock), config.trustBundles(), config.baseDir(), http, clock);
  }

  /** Builds a server; tests may swap the clock or the audit log (e.g. one whose disk fails). */
  public static final class Builder {
    private final MinterConfig config;
    private Clock clock = Clock.systemUTC();
    private AuditLog auditLog;

    private Builder(MinterConfig config) {
      this.config = config;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    public Builder auditLog(AuditLog auditLog) {
      this.auditLog = auditLog;
      return this;
    }

    public MinterServer start() throws Exception {
      Deque<AutoCloseable> closeables = new ArrayDeque<>();
      try {
        return build(closeables);
      } catch (Exception | Error e) {
        while (!closeables.isEmpty()) {
          try {
            closeables.pop().close();
          } catch (Exception suppressed) {
            e.addSuppressed(suppressed);
          }
        }
        throw e;
      }
    }

    private MinterServer build(Deque<AutoCloseable> closeables) throws Exception {
      AuditLog audit = auditLog != null ? auditLog : JsonlAuditLog.open(config.audit().file(), clock);
      closeables.push(audit);
      SqliteLedger ledger =
          SqliteLedger.open(config.ledger().sqlite(), TokenCipher.loadOrCreate(config.ledger().keyFile()), clock);
      closeables.push(ledger);
      CredentialEngines engines = CredentialEngines.builtIn(clock);
      // The same checks at start-up and on every reload: a reloaded policy is never held to a lower bar.
      PolicyReloader policies = PolicyReloader.load(config.policy(), p -> checkRoleKinds(p, engines), audit);
      closeables.push(policies);
      if (config.policyReload().enabled()) {
        policies.watch(config.policyReload().interval());
      }
      Supplier<PolicyEngine> policySource = policies;
      PostureSource posture = PostureSources.build(config.posture(), clock);
      if (posture instanceof AutoCloseable closeablePosture) {
        closeables.push(closeablePosture);
      }
      VaultGateway vault = new VaultGateway(vaultConfig(config.vault()), clock);
      closeables.push(vault);
      TaskRevoker revoker = new TaskRevoker(vault, ledger, audit, clock);
      Inventory inventory = new Inventory(ledger, audit, clock);
      AgentLifecycle agentLifecycle = new AgentLifecycle(ledger, revoker, audit, clock);
      PolicyContexts contexts = new PolicyContexts(ledger, posture, clock);
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      closeables.push(http);
      // Agent → sub-agent grants: signed with Minter's own key, kept next to the ledger key (docs/delegation.md).
      GrantTokens grantTokens = new GrantTokens(
          GrantKeyFile.loadOrCreate(config.ledger().keyFile().resolveSibling("delegation-grant.jwk")),
          Delegator.DEFAULT_GRANT_WINDOW, clock);
      Delegations delegations = new Delegations(
          delegationTokens(config, http, clock), new ChildGrants(grantTokens, ledger, audit, clock));
      // Anomaly detection (docs/anomalies.md). It learns only calls that went ahead, so it may run before other guards.
      PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      closeables.push(metrics::close);
      AnomalyGuard anomalies = new AnomalyGuard(new AnomalyDetector(ledger, clock), audit, metrics, policySource);
      // Quotas last: a guard after it that refuses would leave its in-flight slot counted until it lapses.
      List<TaskGuard> guards = List.of(anomalies, new QuotaGuard(ledger, audit, clock));
      Delegator delegator = new Delegator(policySource, ledger, ledger, audit, inventory, contexts, delegations,
          grantTokens, guards, clock);
      TaskService tasks = new TaskService(
          policySource, vault, engines, ledger, audit, revoker, inventory, contexts, delegations, guards, clock);

      NonceStore nonces = new NonceStore(clock, 100_000);
      TrustBundles trust = trustBundles(config, http, clock);
      closeables.push(trust);
      Attestors attestors = attestors(config, clock, nonces, http, ledger, trust);
      AttestationInterceptor attestation = new AttestationInterceptor(attestors, audit, anomalies::attestationRejected);
      if (config.metrics() != null) {
        closeables.push(MetricsEndpoint.start(address(config.metrics().listen()), metrics));
      }
      HealthStatusManager health = new HealthStatusManager();
      ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
      Server server =
          NettyServerBuilder.forAddress(address(config.listen()), ServerTls.credentials(config.tls().cert(), config.tls().key()))
              .executor(executor) // blocking Vault/ledger/audit work runs on virtual threads, off the event loop
              .addService(ServerInterceptors.intercept(new MinterService(tasks, nonces, delegator), attestation))
              .addService(
                  ServerInterceptors.intercept(
                      new AdminService(
                              tasks, policySource, audit,
                              new AdminAgents(ledger, agentLifecycle, policySource, clock))
                          .withAuditFile(config.audit().file()),
                      attestation))
              .addService(health.getHealthService())
              .addService(ProtoReflectionServiceV1.newInstance())
              .maxInboundMessageSize(1 << 20)
              .build()
              .start();
      health.setStatus("", io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING);
      health.setStatus("minter.v1.Minter", io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING);
      Maintenance maintenance = new Maintenance(
              revoker, agentLifecycle, config.agents().autoSuspendAfter(), vault, config.maintenanceInterval(), clock);
      maintenance.start();
      log.info("Minter listening on {} (policy {}, audit {})", server.getListenSockets(), config.policy(), config.audit().file());
      return new MinterServer(server, maintenance, executor, closeables);
    }

    /** The verifier of human → agent delegation tokens, if {@code delegation:} configures issuers. */
    private static Optional<DelegationTokenVerifier> delegationTokens(MinterConfig config, HttpClient http, Clock clock)
        throws Exception {
      if (config.delegation() == null || config.delegation().isNull()) {
        return Optional.empty();
      }
      DelegationConfig delegation = DelegationConfig.from(config.delegation(), config.baseDir());
      // The shared replay-guard code with its own memory: only verified tokens are remembered, and a burst of them
      // (the guard fails closed when full) must not stop attestation, nor attestation evidence stop delegation.
      return Optional.of(DelegationTokenVerifier.create(
          delegation, http, clock, config.clockSkew(), new InMemoryReplayGuard(clock, 100_000)));
    }

    private static VaultGatewayConfig vaultConfig(MinterConfig.Vault vault) throws Exception {
      Optional<SSLContext> tls =
          vault.caFile() == null ? Optional.empty() : Optional.of(TrustStores.trusting(vault.caFile()));
      return new VaultGatewayConfig(
          URI.create(vault.address()),
          VaultGatewayConfig.tokenFile(vault.tokenFile()),
          vault.tokenRole(),
          vault.timeout(),
          tls);
    }

    /**
     * Refuses a policy with a role whose kind no engine mints: at start-up instead of failing the first agent that
     * asks, and on reload instead of swapping in a policy whose roles cannot be minted.
     */
    private static void checkRoleKinds(Policy policy, CredentialEngines engines) {
      for (RoleSpec role : policy.roles().values()) {
        if (engines.forKind(role.kind()).isEmpty()) {
          throw new IllegalArgumentException(
              policy.source() + ": roles." + role.name() + ".kind: '" + role.kind() + "' (expected one of "
                  + engines.kinds() + ")");
        }
      }
    }

    private static InetSocketAddress address(String listen) {
      int colon = listen.lastIndexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException("listen: '" + listen + "' (expected: host:port)");
      }
      String host = listen.substring(0, colon).replace("[", "").replace("]", "");
      return new InetSocketAddress(host, Integer.parseInt(listen.substring(colon + 1)));
    }
  }
}
