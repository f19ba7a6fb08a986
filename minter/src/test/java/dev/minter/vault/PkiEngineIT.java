package dev.minter.vault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minter.policy.RoleSpec;
import dev.minter.testing.RealStack;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The pki engine against real OpenBao's PKI engine: certificates chain to its CA and work in a real handshake. */
class PkiEngineIT {
  static final RoleSpec AGENT_CERT =
      new RoleSpec("agent-cert", "pki", "pki/issue/agents", List.of("task-pki-agents"), List.of());

  private static RealStack stack;
  private static VaultGateway vault;
  private static X509Certificate ca;
  private final PkiEngine engine = new PkiEngine(Clock.systemUTC());

  @BeforeAll
  static void startStack() throws Exception {
    stack = RealStack.get();
    vault = new VaultGateway(stack.gatewayConfig(), Clock.systemUTC());
    ca = certificate(stack.asRoot("GET", "pki/cert/ca", null).body().path("data").path("certificate").asText());
  }

  @AfterAll
  static void closeGateway() {
    vault.close();
  }

  @Test
  void mint_issue_certChainsToCaWithinTaskAndCompletesMutualTls() throws Exception {
    TaskToken task = task(Duration.ofMinutes(10));

    MintedCredential agent = mint(task, "agent-1.agents.minter.local");
    MintedCredential server = mint(task, "server.agents.minter.local");

    Credential.Certificate cert = (Credential.Certificate) agent.credential();
    X509Certificate x509 = certificate(cert.certificatePem());
    x509.verify(ca.getPublicKey());
    assertThat(x509.getSubjectX500Principal().getName()).contains("CN=agent-1.agents.minter.local");
    assertThat(x509.getNotAfter().toInstant()).isBeforeOrEqualTo(task.expiresAt());
    assertThat(agent.expiresAt()).isBeforeOrEqualTo(x509.getNotAfter().toInstant());
    assertThat(cert.caChain()).isNotEmpty();
    assertThat(cert.privateKey()).isPresent();
    // No generate_lease on the role: no lease, so the certificate can only expire (the receipt says so).
    assertThat(agent.leaseType()).isEqualTo(LeaseType.NONE);
    assertThat(agent.leaseId()).isEqualTo(cert.serialNumber());
    assertThat(agent.toString()).doesNotContain(cert.privateKey().get().reveal());

    assertThat(handshake(server, agent)).isEqualTo("CN=agent-1.agents.minter.local");
    vault.revokeAccessor(task.accessor());
  }

  @Test
  void mint_csr_keyStaysWithAgentAndCertMatchesIt() throws Exception {
    TaskToken task = task(Duration.ofMinutes(10));
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair keys = generator.generateKeyPair();

    MintedCredential minted =
        engine.mint(vault, task, AGENT_CERT, Duration.ofMinutes(5), Map.of("csr", csr(keys, "csr-agent.agents.minter.local")));

    Credential.Certificate cert = (Credential.Certificate) minted.credential();
    assertThat(cert.privateKey()).isEmpty();
    X509Certificate x509 = certificate(cert.certificatePem());
    assertThat(x509.getPublicKey()).isEqualTo(keys.getPublic());
    assertThat(x509.getSubjectX500Principal().getName()).contains("CN=csr-agent.agents.minter.local");
    x509.verify(ca.getPublicKey());
    vault.revokeAccessor(task.accessor());
  }

  @Test
  void mint_roleWithGenerateLease_leaseRevokesCertificate() throws Exception {
    stack.asRoot("POST", "pki/roles/it-leased",
        Map.of("allowed_domains", "agents.minter.local", "allow_subdomains", true, "key_type", "ec", "max_ttl", "1h",
            "generate_lease", true));
    stack.asRoot("PUT", "sys/policies/acl/it-pki-leased",
        Map.of("policy", "path \"pki/issue/it-leased\" { capabilities = [\"update\"] }"));
    RealStack.Response created =
        stack.asRoot("POST", "auth/token/create", Map.of("policies", List.of("it-pki-leased"), "ttl", "10m"));
    TaskToken task =
        new TaskToken(
            Secret.of(created.body().path("auth").path("client_token").asText()),
            created.body().path("auth").path("accessor").asText(),
            java.time.Instant.now().plus(Duration.ofMinutes(10)));
    RoleSpec leased = new RoleSpec("leased-cert", "pki", "pki/issue/it-leased", List.of("it-pki-leased"), List.of());

    MintedCredential minted =
        engine.mint(vault, task, leased, Duration.ofMinutes(5), Map.of("common_name", "leased.agents.minter.local"));

    assertThat(minted.leaseType()).isEqualTo(LeaseType.LEASE);
    assertThat(minted.leaseId()).startsWith("pki/issue/it-leased/");
    String serial = ((Credential.Certificate) minted.credential()).serialNumber();
    assertThat(revocationTime(serial)).isZero();

    assertThat(vault.revokeLease(minted.leaseId())).isEqualTo(RevocationOutcome.REVOKED);

    assertThat(revocationTime(serial)).isPositive();
    stack.asRoot("POST", "auth/token/revoke-accessor", Map.of("accessor", task.accessor()));
  }

  private MintedCredential mint(TaskToken task, String commonName) {
    return engine.mint(vault, task, AGENT_CERT, Duration.ofMinutes(5), Map.of("common_name", commonName));
  }

  private static long revocationTime(String serial) {
    return stack.asRoot("GET", "pki/cert/" + serial, null).body().path("data").path("revocation_time").asLong();
  }

  /** Server and client each present a Vault-issued certificate and trust only the PKI CA; returns the client DN. */
  private static String handshake(MintedCredential server, MintedCredential client) throws Exception {
    SSLContext serverContext = tls(server);
    SSLContext clientContext = tls(client);
    try (SSLServerSocket listener =
        (SSLServerSocket) serverContext.getServerSocketFactory().createServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      listener.setNeedClientAuth(true);
      CompletableFuture<String> peer =
          CompletableFuture.supplyAsync(
              () -> {
                try (SSLSocket socket = (SSLSocket) listener.accept()) {
                  InputStream in = socket.getInputStream();
                  int b = in.read();
                  socket.getOutputStream().write(b);
                  return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      try (SSLSocket socket =
          (SSLSocket) clientContext.getSocketFactory().createSocket("127.0.0.1", listener.getLocalPort())) {
        OutputStream out = socket.getOutputStream();
        out.write(7);
        assertThat(socket.getInputStream().read()).isEqualTo(7);
      }
      return peer.get(10, TimeUnit.SECONDS);
    }
  }

  private static SSLContext tls(MintedCredential minted) throws Exception {
    Credential.Certificate cert = (Credential.Certificate) minted.credential();
    char[] pass = "it".toCharArray();
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry("me", privateKey(cert.privateKey().orElseThrow().reveal()), pass,
        new java.security.cert.Certificate[] {certificate(cert.certificatePem()), ca});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, pass);
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLSv1.3");
    context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return context;
  }

  private static PrivateKey privateKey(String pem) throws Exception {
    String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
  }

  private static X509Certificate certificate(String pem) throws Exception {
    return (X509Certificate)
        CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
  }

  private static String csr(KeyPair keys, String commonName) throws Exception {
    var request =
        new JcaPKCS10CertificationRequestBuilder(new X500Principal("CN=" + commonName), keys.getPublic())
            .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
    StringWriter out = new StringWriter();
    try (JcaPEMWriter pem = new JcaPEMWriter(out)) {
      pem.writeObject(request);
    }
    return out.toString();
  }

  private static TaskToken task(Duration ttl) {
    return vault.createTaskToken(List.of("task-pki-agents"), ttl, Map.of("task", "pki-it"));
  }
}
