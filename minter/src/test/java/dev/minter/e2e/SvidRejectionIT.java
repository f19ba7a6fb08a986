package dev.minter.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minter.audit.AuditRecords;
import dev.minter.proto.v1.BeginTaskRequest;
import dev.minter.proto.v1.MinterGrpc;
import dev.minter.tls.CertifiedKey;
import dev.minter.tls.DevCa;
import dev.minter.tls.LeafSpec;
import dev.minter.tls.LeafSpec.KeyUse;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Failure matrix for X.509-SVIDs over a real TLS socket: every forged or malformed client certificate gets
 * UNAUTHENTICATED with a reason, an {@code attest.reject} audit record, and no task or credential.
 */
class SvidRejectionIT {
  private static final Instant NOW = Instant.now();
  private static final Instant START = NOW.minus(Duration.ofHours(1));
  private static final Instant END = NOW.plus(Duration.ofHours(1));
  private static final String ID = MinterFixture.AGENT;

  @TempDir static Path dir;
  static MinterFixture minter;
  static DevCa rogue;
  static DevCa otherDomain;

  @BeforeAll
  static void start() throws Exception {
    minter = new MinterFixture(dir).start();
    rogue = DevCa.create("minter.local", Duration.ofDays(1), Clock.systemUTC());
    otherDomain = DevCa.create("other.example", Duration.ofDays(1), Clock.systemUTC());
  }

  @AfterAll
  static void stop() {
    minter.close();
  }

  record Forgery(Function<DevCa, CertifiedKey> leaf, String reason) {}

  static Stream<Arguments> forgeries() {
    return Stream.of(
        Arguments.of("untrusted CA", new Forgery(
            ca -> rogue.issue(LeafSpec.clientSvid(ID, START, END)), "")),
        Arguments.of("expired", new Forgery(
            ca -> ca.issue(LeafSpec.clientSvid(ID, NOW.minus(Duration.ofDays(2)), NOW.minus(Duration.ofDays(1)))),
            "expired")),
        Arguments.of("not yet valid", new Forgery(
            ca -> ca.issue(LeafSpec.clientSvid(ID, NOW.plus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(2)))),
            "not valid before")),
        Arguments.of("no URI SAN", new Forgery(
            ca -> ca.issue(LeafSpec.builder(START, END).dns("agent.example").build()), "URI SAN")),
        Arguments.of("two URI SANs", new Forgery(
            ca -> ca.issue(LeafSpec.builder(START, END).uri(ID, "spiffe://minter.local/agents/second").build()),
            "URI SAN")),
        Arguments.of("non-spiffe URI", new Forgery(
            ca -> ca.issue(LeafSpec.builder(START, END).uri("https://minter.local/agents/research-bot").build()),
            "spiffe")),
        Arguments.of("CA certificate as leaf", new Forgery(
            ca -> ca.issue(LeafSpec.builder(START, END).uri(ID).ca(true)
                .keyUsages(KeyUse.DIGITAL_SIGNATURE, KeyUse.KEY_CERT_SIGN).build()), "CA")),
        Arguments.of("leaf may sign certificates", new Forgery(
            ca -> ca.issue(LeafSpec.builder(START, END).uri(ID)
                .keyUsages(KeyUse.DIGITAL_SIGNATURE, KeyUse.KEY_CERT_SIGN).build()), "keyCertSign")),
        Arguments.of("wrong trust domain (untrusted domain)", new Forgery(
            ca -> otherDomain.issue(LeafSpec.clientSvid("spiffe://other.example/agents/research-bot", START, END)),
            "not trusted")),
        Arguments.of("wrong trust domain (claims another domain, signed by ours)", new Forgery(
            ca -> ca.issue(LeafSpec.clientSvid("spiffe://other.example/agents/research-bot", START, END)),
            "not trusted")),
        Arguments.of("self-signed leaf", new Forgery(
            ca -> ca.issue(LeafSpec.builder(START, END).uri(ID).selfSigned().build()), "")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("forgeries")
  void forgedSvid_isUnauthenticated_auditedAndGetsNothing(String name, Forgery forgery) throws Exception {
    String file = "forged-" + Integer.toHexString(name.hashCode());
    minter.writeLeaf(file, forgery.leaf().apply(minter.ca));
    int recordsBefore = records().size();

    try (Agent agent = new Agent(minter.channel(file))) {
      assertThatThrownBy(() -> agent.begin("report:x", 60, "analytics-ro"))
          .satisfies(e -> {
            Status status = Status.fromThrowable(e);
            assertThat(status.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(status.getDescription()).startsWith("attestation failed: ").contains(forgery.reason());
          });
    }

    List<Map<String, Object>> records = records();
    assertThat(records).hasSize(recordsBefore + 1); // the rejection, and nothing else: no task was begun
    assertThat(records.getLast())
        .containsEntry("event", "attest.reject")
        .containsEntry("attestor", "x509_svid")
        .containsEntry("method", "minter.v1.Minter/BeginTask");
  }

  @Test
  void noClientCertificate_isUnauthenticated() throws Exception {
    ManagedChannel channel =
        Grpc.newChannelBuilder(
                minter.target(), TlsChannelCredentials.newBuilder().trustManager(dir.resolve("ca.pem").toFile()).build())
            .build();
    try {
      assertThatThrownBy(
              () ->
                  MinterGrpc.newBlockingStub(channel)
                      .withDeadlineAfter(10, TimeUnit.SECONDS)
                      .beginTask(BeginTaskRequest.newBuilder().setPurpose("report:x").addRoles("analytics-ro").build()))
          .satisfies(e -> {
            Status status = Status.fromThrowable(e);
            assertThat(status.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(status.getDescription()).contains("no client certificate");
          });
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    assertThat(records().getLast()).containsEntry("event", "attest.reject");
  }

  /**
   * The audit records but anomaly alerts: this class's burst of rejections from one address also (rightly) raises
   * {@code anomaly.attestation_failures} (docs/anomalies.md), on whichever test happens to cross the threshold.
   */
  private static List<Map<String, Object>> records() throws java.io.IOException {
    return AuditRecords.read(minter.auditFile()).stream()
        .filter(r -> !String.valueOf(r.get("event")).startsWith("anomaly."))
        .toList();
  }

  @Test
  void validSvidViaIntermediate_isAccepted() throws Exception {
    CertifiedKey intermediate = minter.ca.issueIntermediate("intermediate", START, END);
    CertifiedKey leaf = minter.ca.issue(LeafSpec.builder(START, END).uri(ID).signedBy(intermediate).build());
    minter.writeLeaf("via-intermediate", leaf, intermediate.certificate());
    try (Agent agent = new Agent(minter.channel("via-intermediate"))) {
      String taskId = agent.begin("report:x", 60, "analytics-ro").getTaskId();
      assertThat(agent.complete(taskId).getReason()).isEqualTo("complete");
    }
  }
}
