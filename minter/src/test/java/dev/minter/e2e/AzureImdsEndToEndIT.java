package dev.minter.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minter.attest.azure.AzureTestPki;
import dev.minter.attest.azure.AzureTestPki.Chain;
import dev.minter.attest.azure.ImdsDocuments;
import dev.minter.audit.AuditRecords;
import dev.minter.proto.v1.BeginTaskResponse;
import dev.minter.proto.v1.IssueNonceRequest;
import dev.minter.proto.v1.MintCredentialResponse;
import dev.minter.proto.v1.MinterGrpc;
import dev.minter.proto.v1.RevocationReceipt;
import dev.minter.tls.Pem;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.nio.file.Path;
import java.security.KeyPair;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An Azure VM agent end to end over real TLS, OpenBao and PostgreSQL: before every call it asks Minter's real
 * IssueNonce for a nonce and "IMDS" (test keys in Azure's exact format) for a document bound to it, then begins a task,
 * mints a PostgreSQL login that works, and completes the task, which kills the login. A document whose nonce was
 * already used is a replay: UNAUTHENTICATED, with an {@code attest.reject} audit record, and nothing else happens.
 */
class AzureImdsEndToEndIT {
  private static final String KIND = "azure_imds";
  private static final String SUB = "8d10da13-8125-4ba9-a717-bf7490507b3d";
  private static final String VM = "02aab8a4-74ef-476e-8182-f6d2ba4166a6";
  private static final String IDENTITY = "spiffe://minter.local/azure/" + SUB + "/" + VM;

  @TempDir static Path dir;
  static MinterFixture minter;
  static Chain azure;

  @BeforeAll
  static void start() throws Exception {
    Instant now = Instant.now();
    azure = Chain.create(now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)));
    // As in production: the roots and Azure's issuing CA are configured; the document carries only the signer.
    Pem.writeCertificates(dir.resolve("azure-roots.pem"), List.of(azure.root().certificate()));
    Pem.writeCertificates(dir.resolve("azure-intermediates.pem"), List.of(azure.intermediate().certificate()));
    minter = new MinterFixture(dir, """
        attestors:
          azure_imds:
            roots: azure-roots.pem
            intermediates: azure-intermediates.pem
            subscriptions: ["%s"]
        """.formatted(SUB)).start();
  }

  @AfterAll
  static void stop() {
    minter.close();
  }

  @Test
  void freshDocumentPerCall_beginMintLoginComplete_loginDiesWithTheTask() throws Exception {
    BeginTaskResponse task;
    try (Agent agent = agentWithFreshDocument()) {
      task = agent.begin("report:x", 60, "analytics-ro");
    }
    assertThat(task.getRule()).isEqualTo("attested-workloads");

    MintCredentialResponse cred;
    try (Agent agent = agentWithFreshDocument()) {
      cred = agent.mint(task.getTaskId(), "analytics-ro");
    }
    String user = cred.getDatabase().getUsername();
    String password = cred.getDatabase().getPassword();
    assertThat(Postgres.countReportsAs(user, password)).isPositive();

    RevocationReceipt receipt;
    try (Agent agent = agentWithFreshDocument()) {
      receipt = agent.complete(task.getTaskId());
    }
    assertThat(receipt.getReason()).isEqualTo("complete");
    assertThat(receipt.getRevokedBy()).isEqualTo(IDENTITY);
    assertThatThrownBy(() -> Postgres.countReportsAs(user, password)).isInstanceOf(SQLException.class);
  }

  @Test
  void reusedNonce_isUnauthenticated_auditedAsReplay_andDoesNothing() throws Exception {
    ManagedChannel channel = minter.channelWithoutClientCertificate();
    byte[] document = freshDocument(channel);
    String taskId;
    try (Agent agent = new Agent(channel, Agent.evidence(KIND, document))) {
      taskId = agent.begin("report:x", 60, "analytics-ro").getTaskId();
      int recordsBefore = AuditRecords.read(minter.auditFile()).size();

      // The same document again: its nonce was consumed by the first call.
      assertThatThrownBy(() -> agent.complete(taskId)).satisfies(e -> {
        Status status = Status.fromThrowable(e);
        assertThat(status.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(status.getDescription()).startsWith("attestation failed: ").contains("was already used");
      });

      List<Map<String, Object>> records = AuditRecords.read(minter.auditFile());
      assertThat(records).hasSize(recordsBefore + 1);
      assertThat(records.getLast())
          .containsEntry("event", "attest.reject")
          .containsEntry("attestor", KIND)
          .containsEntry("failure", "replayed")
          .containsEntry("method", "minter.v1.Minter/CompleteTask");
    }
    // The task was not completed by the replay; a fresh document completes it.
    try (Agent agent = agentWithFreshDocument()) {
      assertThat(agent.complete(taskId).getReason()).isEqualTo("complete");
    }
  }

  @Test
  void documentFromAnUntrustedSigner_isUnauthenticatedAndAudited() throws Exception {
    KeyPair key = AzureTestPki.rsa();
    AzureTestPki.Issued impostor = AzureTestPki.cert("CN=metadata.azure.com", key).dns("metadata.azure.com").build();
    ManagedChannel channel = minter.channelWithoutClientCertificate();
    byte[] forged = ImdsDocuments.pkcs7(content(issueNonce(channel)))
        .signer(impostor.privateKey(), impostor.certificate()).envelope();

    try (Agent agent = new Agent(channel, Agent.evidence(KIND, forged))) {
      assertThatThrownBy(() -> agent.begin("report:x", 60, "analytics-ro")).satisfies(e -> {
        Status status = Status.fromThrowable(e);
        assertThat(status.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(status.getDescription()).contains("does not chain to a configured root");
      });
    }
    assertThat(AuditRecords.read(minter.auditFile()).getLast())
        .containsEntry("event", "attest.reject")
        .containsEntry("attestor", KIND)
        .containsEntry("failure", "untrusted");
  }

  @Test
  void garbageDocument_isInvalidArgument() throws Exception {
    try (Agent agent = new Agent(minter.channelWithoutClientCertificate(),
        Agent.evidence(KIND, "{\"encoding\":\"pkcs7\",\"signature\":\"%%%\"}".getBytes()))) {
      assertThatThrownBy(() -> agent.begin("report:x", 60, "analytics-ro"))
          .satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    }
    assertThat(AuditRecords.read(minter.auditFile()).getLast()).containsEntry("failure", "malformed");
  }

  // ---- what the agent on the VM does ----

  /** A new connection whose agent carries a document bound to a nonce just issued on it. */
  private static Agent agentWithFreshDocument() throws Exception {
    ManagedChannel channel = minter.channelWithoutClientCertificate();
    return new Agent(channel, Agent.evidence(KIND, freshDocument(channel)));
  }

  /** IssueNonce on Minter, then the IMDS document for that nonce (signed here by the test Azure chain). */
  private static byte[] freshDocument(ManagedChannel channel) {
    return ImdsDocuments.pkcs7(content(issueNonce(channel)))
        .signer(azure.signer().privateKey(), azure.signer().certificate())
        .envelope();
  }

  private static String issueNonce(ManagedChannel channel) {
    return MinterGrpc.newBlockingStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .issueNonce(IssueNonceRequest.getDefaultInstance())
        .getNonce();
  }

  private static byte[] content(String nonce) {
    Instant now = Instant.now();
    return ImdsDocuments.json(ImdsDocuments.content(nonce, SUB, VM, now.minusSeconds(5), now.plus(Duration.ofHours(6))));
  }
}
