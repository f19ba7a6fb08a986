package dev.minter.e2e;

import dev.minter.MinterServer;
import dev.minter.audit.AuditLog;
import dev.minter.audit.JsonlAuditLog;
import dev.minter.client.MinterChannels;
import dev.minter.config.ConfigLoader;
import dev.minter.config.MinterConfig;
import dev.minter.testing.RealStack;
import dev.minter.tls.CertifiedKey;
import dev.minter.tls.DevCa;
import dev.minter.tls.LeafSpec;
import dev.minter.tls.Pem;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * A real Minter server for end-to-end tests: real OpenBao and PostgreSQL (from {@link RealStack}), real TLS on a
 * loopback port, a fresh SQLite ledger, audit log and policy in a temp directory, and a development CA whose SVIDs the
 * tests present as clients.
 */
public final class MinterFixture implements AutoCloseable {
  static final String TRUST_DOMAIN = "minter.local";
  static final String AGENT = "spiffe://minter.local/agents/research-bot";
  static final String OTHER_AGENT = "spiffe://minter.local/agents/other-bot";
  static final String STRANGER = "spiffe://minter.local/strangers/nobody";
  static final String ADMIN = "spiffe://minter.local/operators/alice";

  static final String POLICY =
      """
      admins:
        - "spiffe://minter.local/operators/*"
      roles:
        analytics-ro:
          kind: database
          path: database/creds/analytics-ro
          vault_policies: [task-analytics-ro]
        vault-token:
          kind: vault-token
          vault_policies: [task-vault-token, agent-kv-read]
          token_policies: [agent-kv-read]
      rules:
        - id: agents
          identities: ["spiffe://minter.local/agents/*"]
          roles: [analytics-ro, vault-token]
          purposes: ["report:*", "demo"]
          max_ttl: 15m
        - id: attested-workloads
          identities:
            - "spiffe://minter.local/aws/**"
            - "spiffe://minter.local/gcp/**"
            - "spiffe://minter.local/azure/**"
            - "spiffe://minter.local/k8s/**"
            - "spiffe://minter.local/oidc/**"
            - "spiffe://corp.example/**"
          roles: [analytics-ro]
          purposes: ["report:*"]
          max_ttl: 5m
        - id: limited
          identities: ["spiffe://minter.local/limited/*"]
          roles: [vault-token]
          purposes: ["report:*"]
          max_ttl: 1m
      """;

  final Path dir;
  final RealStack stack;
  final DevCa ca;
  final MinterConfig config;
  private MinterServer server;

  MinterFixture(Path dir) throws Exception {
    this(dir, "");
  }

  /**
   * @param extraConfig YAML appended to the server's configuration, e.g. an {@code attestors:} section whose relative
   *     paths resolve against {@code dir}
   */
  MinterFixture(Path dir, String extraConfig) throws Exception {
    this.dir = dir;
    this.stack = RealStack.get();
    this.ca = DevCa.create(TRUST_DOMAIN, Duration.ofDays(2), Clock.systemUTC());
    ca.write(dir.resolve("ca.pem"), dir.resolve("ca.key"));
    DevCa.writeDevSet(dir, TRUST_DOMAIN, java.util.Map.of(), Clock.systemUTC()); // reuses ca.pem/ca.key: server.pem
    Files.writeString(dir.resolve("policy.yaml"), POLICY);
    Files.writeString(
        dir.resolve("minter.yaml"),
        """
        listen: 127.0.0.1:0
        tls:
          cert: server.pem
          key: server.key
        trust_domains:
          minter.local: ca.pem
        vault:
          address: %s
          token_file: %s
        ledger:
          sqlite: ledger.db
          key_file: ledger.key
        audit:
          file: audit.jsonl
        policy: policy.yaml
        maintenance_interval: 1s
        """
            .formatted(stack.baoAddr(), stack.minterTokenFile())
            + extraConfig);
    this.config = ConfigLoader.load(dir.resolve("minter.yaml"));
  }

  MinterFixture start() throws Exception {
    return start(Function.identity());
  }

  /** Starts the server with the audit log wrapped by {@code auditWrapper} (e.g. to make its disk fail). */
  MinterFixture start(Function<AuditLog, AuditLog> auditWrapper) throws Exception {
    AuditLog audit = auditWrapper.apply(JsonlAuditLog.open(auditFile(), Clock.systemUTC()));
    server = MinterServer.builder(config).auditLog(audit).start();
    return this;
  }

  void restart() throws Exception {
    server.close();
    start();
  }

  MinterServer server() {
    return server;
  }

  Path auditFile() {
    return config.audit().file();
  }

  String target() {
    return "127.0.0.1:" + server.port();
  }

  /** An SVID for {@code spiffeId} from this fixture's CA, written as PEM files; returns the cert path. */
  Path svid(String name, String spiffeId) throws IOException {
    Instant now = Instant.now();
    return writeLeaf(name, ca.issue(LeafSpec.clientSvid(spiffeId, now.minusSeconds(60), now.plus(Duration.ofHours(1)))));
  }

  /** Writes {@code leaf} (followed by {@code intermediates}) and its key as {@code name.pem}/{@code name.key}. */
  Path writeLeaf(String name, CertifiedKey leaf, X509Certificate... intermediates) throws IOException {
    Path cert = dir.resolve(name + ".pem");
    List<X509Certificate> chain = new ArrayList<>();
    chain.add(leaf.certificate());
    chain.addAll(List.of(intermediates));
    Pem.writeCertificates(cert, chain);
    Pem.writePrivateKey(dir.resolve(name + ".key"), leaf.privateKey());
    return cert;
  }

  /** An mTLS channel presenting the SVID written under {@code name}. */
  ManagedChannel channel(String name) {
    return MinterChannels.mtls(target(), dir.resolve(name + ".pem"), dir.resolve(name + ".key"), dir.resolve("ca.pem"));
  }

  /** A TLS channel that presents no client certificate (for callers that attest with request evidence). */
  ManagedChannel channelWithoutClientCertificate() throws IOException {
    return io.grpc.Grpc.newChannelBuilder(
            target(),
            io.grpc.TlsChannelCredentials.newBuilder().trustManager(dir.resolve("ca.pem").toFile()).build())
        .build();
  }

  /** An mTLS channel presenting a fresh SVID for {@code spiffeId}. */
  ManagedChannel channelFor(String spiffeId) throws IOException {
    String name = "svid-" + Integer.toHexString(spiffeId.hashCode());
    svid(name, spiffeId);
    return channel(name);
  }

  List<String> clientFiles(String name) {
    return List.of(
        "--addr", target(),
        "--cert", dir.resolve(name + ".pem").toString(),
        "--key", dir.resolve(name + ".key").toString(),
        "--ca", dir.resolve("ca.pem").toString());
  }

  @Override
  public void close() {
    if (server != null) {
      server.close();
    }
  }
}
