package dev.minter.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minter.attest.aws.AwsIidForge;
import dev.minter.attest.aws.AwsIidForge.Signer;
import dev.minter.audit.AuditRecords;
import dev.minter.proto.v1.BeginTaskResponse;
import dev.minter.proto.v1.MintCredentialResponse;
import dev.minter.tls.Pem;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An EC2 instance attesting with its instance identity document against the real stack: real TLS (no client
 * certificate), real OpenBao minting a real PostgreSQL user. The AWS certificate is a runtime key standing in for
 * AWS's us-east-1 certificate, configured exactly as an operator would configure the real one.
 */
class AwsIidEndToEndIT {
  private static final String ACCOUNT = "123456789012";
  private static final Instant CERT_FROM = Instant.parse("2015-08-14T08:59:12Z");
  private static final Instant CERT_TO = Instant.parse("2195-01-17T08:59:12Z");
  private static final Signer AWS_US_EAST_1 = Signer.rsa(CERT_FROM, CERT_TO);
  private static final Signer FORGER = Signer.lookalikeOf(AWS_US_EAST_1);

  @TempDir static Path dir;
  static MinterFixture minter;

  @BeforeAll
  static void start() throws Exception {
    Pem.writeCertificates(dir.resolve("aws-us-east-1.pem"), List.of(AWS_US_EAST_1.certificate()));
    minter = new MinterFixture(dir,
        """
        attestors:
          aws_iid:
            accounts: ["123456789012"]
            regions: [us-east-1]
            certificates:
              us-east-1: aws-us-east-1.pem
            max_instance_age: 720h
        """).start();
  }

  @AfterAll
  static void stop() {
    if (minter != null) {
      minter.close();
    }
  }

  /** The evidence an instance launched at {@code pendingTime} sends, signed by {@code signer}. */
  private static byte[] iid(String instanceId, Instant launched, Signer signer) {
    Instant pendingTime = launched.truncatedTo(ChronoUnit.SECONDS); // AWS writes whole seconds
    String document = AwsIidForge.document(AwsIidForge.fields(ACCOUNT, "us-east-1", instanceId, pendingTime));
    byte[] rsa2048 = AwsIidForge.pkcs7(document).signedBy(signer).signingTime(pendingTime.plusSeconds(1)).build();
    return AwsIidForge.payload(document, rsa2048);
  }

  private static Agent instance(byte[] evidence) throws Exception {
    return new Agent(minter.channelWithoutClientCertificate(), Agent.evidence("aws_iid", evidence));
  }

  @Test
  void ec2Instance_beginMintComplete_getsAWorkingDatabaseUser() throws Exception {
    String instanceId = "i-0aaaaaaaaaaaaaaa1";
    try (Agent agent = instance(iid(instanceId, Instant.now().minus(Duration.ofHours(1)), AWS_US_EAST_1))) {
      BeginTaskResponse task = agent.begin("report:x", 60, "analytics-ro");
      assertThat(task.getRule()).isEqualTo("attested-workloads");

      MintCredentialResponse cred = agent.mint(task.getTaskId(), "analytics-ro");
      assertThat(Postgres.countReportsAs(cred.getDatabase().getUsername(), cred.getDatabase().getPassword()))
          .isPositive();

      assertThat(agent.complete(task.getTaskId()).getReason()).isEqualTo("complete");
    }
    assertThat(AuditRecords.read(minter.auditFile()))
        .anySatisfy(r -> assertThat(r).containsEntry("identity", "spiffe://minter.local/aws/" + ACCOUNT + "/" + instanceId));
  }

  @Test
  void forgedSignature_isUnauthenticatedAndAudited() throws Exception {
    int before = AuditRecords.read(minter.auditFile()).size();

    try (Agent agent = instance(iid("i-0bbbbbbbbbbbbbbb2", Instant.now().minus(Duration.ofHours(1)), FORGER))) {
      assertThatThrownBy(() -> agent.begin("report:x", 60, "analytics-ro")).satisfies(e -> {
        Status status = Status.fromThrowable(e);
        assertThat(status.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(status.getDescription()).contains("does not verify with the configured AWS certificate");
      });
    }

    List<Map<String, Object>> records = AuditRecords.read(minter.auditFile());
    assertThat(records).hasSize(before + 1);
    assertThat(records.getLast())
        .containsEntry("event", "attest.reject")
        .containsEntry("attestor", "aws_iid")
        .containsEntry("failure", "untrusted");
  }

  @Test
  void documentOfAnEarlierLaunch_afterTheInstanceRestarted_isRefusedAsReplay() throws Exception {
    String instanceId = "i-0ccccccccccccccc3";
    byte[] stolenEarlier = iid(instanceId, Instant.now().minus(Duration.ofDays(2)), AWS_US_EAST_1);
    byte[] current = iid(instanceId, Instant.now().minus(Duration.ofMinutes(5)), AWS_US_EAST_1);
    try (Agent thief = instance(stolenEarlier); Agent restarted = instance(current)) {
      String task = thief.begin("report:x", 60, "analytics-ro").getTaskId(); // accepted until a newer launch is seen
      thief.complete(task);
      restarted.complete(restarted.begin("report:x", 60, "analytics-ro").getTaskId());

      assertThatThrownBy(() -> thief.begin("report:x", 60, "analytics-ro")).satisfies(e -> {
        Status status = Status.fromThrowable(e);
        assertThat(status.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(status.getDescription()).contains("earlier launch");
      });
    }
    assertThat(AuditRecords.read(minter.auditFile()).getLast())
        .containsEntry("event", "attest.reject")
        .containsEntry("attestor", "aws_iid")
        .containsEntry("failure", "replayed");
  }
}
