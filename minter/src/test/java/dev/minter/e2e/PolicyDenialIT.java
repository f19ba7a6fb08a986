package dev.minter.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minter.audit.AuditRecords;
import io.grpc.Status;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/** Default deny at BeginTask, over real mTLS: each refusal has the right status, a reason, and an audit record. */
class PolicyDenialIT {
  @TempDir static Path dir;
  static MinterFixture minter;

  @BeforeAll
  static void start() throws Exception {
    minter = new MinterFixture(dir).start();
  }

  @AfterAll
  static void stop() {
    minter.close();
  }

  static Stream<Arguments> denials() {
    return Stream.of(
        Arguments.of("unknown identity", MinterFixture.STRANGER, "report:x", 60, List.of("analytics-ro"),
            Status.Code.PERMISSION_DENIED, "no policy rule matches identity", "policy.deny"),
        Arguments.of("role not granted", "spiffe://minter.local/limited/bot", "report:x", 30, List.of("analytics-ro"),
            Status.Code.PERMISSION_DENIED, "is not granted", "policy.deny"),
        Arguments.of("ttl above max", MinterFixture.AGENT, "report:x", 7200, List.of("analytics-ro"),
            Status.Code.PERMISSION_DENIED, "exceeds the maximum", "policy.deny"),
        Arguments.of("purpose not allowed", MinterFixture.AGENT, "deploy:prod", 60, List.of("analytics-ro"),
            Status.Code.PERMISSION_DENIED, "purpose 'deploy:prod' is not allowed", "policy.deny"),
        Arguments.of("unknown role", MinterFixture.AGENT, "report:x", 60, List.of("superuser"),
            Status.Code.NOT_FOUND, "role 'superuser' is not defined", "policy.deny"),
        Arguments.of("zero ttl", MinterFixture.AGENT, "report:x", 0, List.of("analytics-ro"),
            Status.Code.INVALID_ARGUMENT, "ttl: PT0S (expected: > 0)", "task.begin"),
        Arguments.of("empty purpose", MinterFixture.AGENT, " ", 60, List.of("analytics-ro"),
            Status.Code.INVALID_ARGUMENT, "purpose: empty", "task.begin"),
        Arguments.of("no roles", MinterFixture.AGENT, "report:x", 60, List.of(),
            Status.Code.INVALID_ARGUMENT, "roles: []", "task.begin"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("denials")
  void beginTask_deniedRequest_getsStatusReasonAndAuditRecord(
      String name, String identity, String purpose, long ttl, List<String> roles, Status.Code code, String reason,
      String event) throws Exception {
    long before = Postgres.dynamicRoles();
    try (Agent agent = new Agent(minter.channelFor(identity))) {
      assertThatThrownBy(() -> agent.begin(purpose, ttl, roles.toArray(String[]::new)))
          .satisfies(e -> {
            Status status = Status.fromThrowable(e);
            assertThat(status.getCode()).isEqualTo(code);
            assertThat(status.getDescription()).contains(reason).contains("(request req_");
          });
    }
    List<Map<String, Object>> records = AuditRecords.read(minter.auditFile());
    assertThat(records.getLast())
        .containsEntry("event", event)
        .containsEntry("identity", identity)
        .containsKey("reason");
    assertThat(String.valueOf(records.getLast().get("reason"))).contains(reason);
    assertThat(records).noneSatisfy(r -> assertThat(r).containsEntry("identity", identity).containsEntry("outcome", "ok"));
    assertThat(Postgres.dynamicRoles()).isEqualTo(before);
  }
}
