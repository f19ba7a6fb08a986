package dev.minter.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minter.attest.AwsIamAttestor;
import dev.minter.attest.aws.iam.TestAwsSigner.Credentials;
import dev.minter.attest.aws.iam.TestAwsSigner.Draft;
import dev.minter.attest.aws.iam.TestSts;
import dev.minter.attest.aws.iam.TestSts.Principal;
import dev.minter.audit.AuditRecords;
import dev.minter.proto.v1.BeginTaskResponse;
import dev.minter.proto.v1.MintCredentialResponse;
import dev.minter.proto.v1.RevocationReceipt;
import io.grpc.Status;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code aws_iam} through the whole stack: a real Minter (TLS, policy, OpenBao, PostgreSQL, audit log) whose agent
 * proves its AWS role with a SigV4-signed GetCallerIdentity request; a local STS that really verifies SigV4 stands in
 * for AWS. The agent signs a fresh request for every call, since each is single-use.
 */
class AwsIamEndToEndIT {
  private static final String SERVER_ID = "minter.e2e";
  private static final String ACCOUNT = "111122223333";
  private static final String IDENTITY = "spiffe://minter.local/aws/111122223333/role/analytics-agent";
  private static final Credentials ROLE = Credentials.random("ASIAE2E", true);

  @TempDir static Path dir;
  static TestSts sts;
  static MinterFixture minter;

  @BeforeAll
  static void start() throws Exception {
    sts = new TestSts(Clock.systemUTC())
        .add(new Principal(ROLE, "arn:aws:sts::111122223333:assumed-role/analytics-agent/e2e-session",
            "AROAEXAMPLEROLEID01:e2e-session", ACCOUNT));
    minter = new MinterFixture(dir, """
        attestors:
          aws_iam:
            sts_endpoint: %s
            allow_http_loopback: true
            server_id: %s
            accounts: ["%s"]
            role_arns: ["arn:aws:iam::%s:role/analytics-*"]
        """.formatted(sts.endpoint(), SERVER_ID, ACCOUNT, ACCOUNT)).start();
  }

  @AfterAll
  static void stop() {
    if (minter != null) {
      minter.close();
    }
    if (sts != null) {
      sts.close();
    }
  }

  @Test
  void signedCallerIdentity_beginMintComplete_credentialsWorkThenDie() throws Exception {
    BeginTaskResponse task;
    try (Agent agent = agent(signed(SERVER_ID))) {
      task = agent.begin("report:x", 60, "analytics-ro");
    }
    assertThat(task.getRule()).isEqualTo("attested-workloads");

    MintCredentialResponse cred;
    try (Agent agent = agent(signed(SERVER_ID))) {
      cred = agent.mint(task.getTaskId(), "analytics-ro");
    }
    String user = cred.getDatabase().getUsername();
    assertThat(Postgres.countReportsAs(user, cred.getDatabase().getPassword())).isPositive();

    RevocationReceipt receipt;
    try (Agent agent = agent(signed(SERVER_ID))) {
      receipt = agent.complete(task.getTaskId());
    }
    assertThat(receipt.getReason()).isEqualTo("complete");
    assertThat(receipt.getRevokedBy()).isEqualTo(IDENTITY);
    assertThatThrownBy(() -> Postgres.countReportsAs(user, cred.getDatabase().getPassword()))
        .isInstanceOf(SQLException.class);
  }

  @Test
  void replayedRequest_unauthenticatedAuditedAsReplayAndNotForwarded() throws Exception {
    byte[] evidence = signed(SERVER_ID);
    String taskId;
    try (Agent agent = agent(evidence)) {
      taskId = agent.begin("report:x", 60, "analytics-ro").getTaskId();
    }
    int stsRequests = sts.requests();

    try (Agent replayer = agent(evidence)) {
      assertThatThrownBy(() -> replayer.complete(taskId))
          .satisfies(e -> {
            Status status = Status.fromThrowable(e);
            assertThat(status.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(status.getDescription()).contains("already used");
          });
    }

    assertThat(sts.requests()).as("a replay never reaches STS").isEqualTo(stsRequests);
    assertThat(AuditRecords.read(minter.auditFile()).getLast())
        .containsEntry("event", "attest.reject")
        .containsEntry("attestor", AwsIamAttestor.KIND)
        .containsEntry("failure", "replayed");
    try (Agent agent = agent(signed(SERVER_ID))) {
      assertThat(agent.complete(taskId).getReason()).isEqualTo("complete");
    }
  }

  @Test
  void requestSignedForAnotherServer_unauthenticatedAndAudited() throws Exception {
    try (Agent agent = agent(signed("vault.example"))) {
      assertThatThrownBy(() -> agent.begin("report:x", 60, "analytics-ro"))
          .satisfies(e -> {
            Status status = Status.fromThrowable(e);
            assertThat(status.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(status.getDescription()).contains("server ID 'vault.example'");
          });
    }
    assertThat(AuditRecords.read(minter.auditFile()).getLast())
        .containsEntry("event", "attest.reject")
        .containsEntry("attestor", AwsIamAttestor.KIND)
        .containsEntry("failure", "untrusted");
  }

  private static byte[] signed(String serverId) {
    return new Draft(ROLE, sts.endpoint(), serverId, Instant.now()).sign(ROLE).evidence();
  }

  private static Agent agent(byte[] evidence) throws Exception {
    return new Agent(minter.channelWithoutClientCertificate(), Agent.evidence(AwsIamAttestor.KIND, evidence));
  }
}
