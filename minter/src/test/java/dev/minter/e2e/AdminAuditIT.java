package dev.minter.e2e;

import static dev.minter.e2e.MinterFixture.ADMIN;
import static dev.minter.e2e.MinterFixture.AGENT;
import static dev.minter.e2e.MinterFixture.OTHER_AGENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.minter.Main;
import dev.minter.audit.AuditRecords;
import dev.minter.proto.v1.AuditRecord;
import dev.minter.proto.v1.ExplainPolicyRequest;
import dev.minter.proto.v1.ExplainPolicyResponse;
import dev.minter.proto.v1.MinterAdminGrpc;
import dev.minter.proto.v1.QueryAuditRequest;
import dev.minter.proto.v1.VerifyAuditRequest;
import dev.minter.proto.v1.VerifyAuditResponse;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** QueryAudit (filters and follow), VerifyAudit and ExplainPolicy over a real server, and their CLI commands. */
class AdminAuditIT {
  @TempDir static Path dir;
  static MinterFixture minter;
  static ManagedChannel admin;

  @BeforeAll
  static void start() throws Exception {
    minter = new MinterFixture(dir).start();
    minter.svid("admin", ADMIN);
    admin = minter.channel("admin");
  }

  @AfterAll
  static void stop() throws Exception {
    admin.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    minter.close();
  }

  @Test
  void queryAudit_filters_returnOnlyMatchingRecords() throws Exception {
    String mine;
    try (Agent agent = new Agent(minter.channelFor(AGENT));
        Agent other = new Agent(minter.channelFor(OTHER_AGENT))) {
      mine = agent.begin("report:q", 60, "analytics-ro").getTaskId();
      other.begin("report:q", 60, "analytics-ro");
    }

    List<AuditRecord> begins = query(QueryAuditRequest.newBuilder()
        .setEvent("task.begin").setIdentity("spiffe://minter.local/agents/research-*").build());
    List<AuditRecord> byTask = query(QueryAuditRequest.newBuilder().setTaskId(mine).build());
    List<AuditRecord> lastTwo = query(QueryAuditRequest.newBuilder().setLimit(2).build());
    List<AuditRecord> future = query(QueryAuditRequest.newBuilder()
        .setSince(com.google.protobuf.Timestamp.newBuilder().setSeconds(System.currentTimeMillis() / 1000 + 3600)).build());

    assertThat(begins).isNotEmpty().allSatisfy(r ->
        assertThat(r.getJson()).contains("\"event\":\"task.begin\"").contains("\"identity\":\"" + AGENT + "\""));
    assertThat(byTask).isNotEmpty().allSatisfy(r -> assertThat(r.getJson()).contains("\"task\":\"" + mine + "\""));
    assertThat(lastTwo).hasSize(2);
    assertThat(lastTwo.get(1).getSeq()).isEqualTo(lastTwo.get(0).getSeq() + 1);
    assertThat(future).isEmpty();
    // Each record is the line as written, so a client can verify it against the file.
    List<String> lines = java.nio.file.Files.readAllLines(minter.auditFile());
    assertThat(lines.get((int) begins.getFirst().getSeq() - 1)).isEqualTo(begins.getFirst().getJson());
  }

  @Test
  void queryAudit_follow_streamsRecordAppendedAfterTheQueryStarted() throws Exception {
    List<AuditRecord> seen = new CopyOnWriteArrayList<>();
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    Context.CancellableContext context = Context.current().withCancellation();
    context.run(() -> MinterAdminGrpc.newStub(admin).queryAudit(
        QueryAuditRequest.newBuilder().setEvent("task.begin").setLimit(1).setFollow(true).build(),
        new StreamObserver<>() {
          @Override public void onNext(AuditRecord r) { seen.add(r); }
          @Override public void onError(Throwable t) { errors.add(t); }
          @Override public void onCompleted() {}
        }));
    try {
      Thread.sleep(500); // let the server send its initial window before the new record exists
      String taskId;
      try (Agent agent = new Agent(minter.channelFor(AGENT))) {
        taskId = agent.begin("report:follow", 60, "analytics-ro").getTaskId();
      }
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(seen).anySatisfy(r -> assertThat(r.getJson()).contains(taskId)));
      assertThat(errors).isEmpty();
    } finally {
      context.cancel(null);
    }
  }

  @Test
  void queryAudit_notAnAdmin_isDenied() throws Exception {
    ManagedChannel agentChannel = minter.channelFor(AGENT);
    try {
      assertThatThrownBy(() -> MinterAdminGrpc.newBlockingStub(agentChannel)
              .queryAudit(QueryAuditRequest.getDefaultInstance()).hasNext())
          .satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
    } finally {
      agentChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void verifyAudit_serverLog_isIntactAndCountsEveryRecord() throws Exception {
    int before = AuditRecords.read(minter.auditFile()).size();

    VerifyAuditResponse r = MinterAdminGrpc.newBlockingStub(admin).verifyAudit(VerifyAuditRequest.getDefaultInstance());

    assertThat(r.getIntact()).isTrue();
    assertThat(r.getCount()).isGreaterThan(before); // the admin.call record of this very call is in it
    assertThat(r.getHeadHash()).hasSize(64);
  }

  @Test
  void explainPolicy_server_givesEachRulesChecks() {
    ExplainPolicyResponse r = MinterAdminGrpc.newBlockingStub(admin).explainPolicy(ExplainPolicyRequest.newBuilder()
        .setIdentity(AGENT).setPurpose("report:x").addRoles("analytics-ro")
        .setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(3600)).build());

    assertThat(r.getAllowed()).isFalse();
    assertThat(r.getRule()).isEqualTo("agents");
    assertThat(r.getRules(0).getChecksList()).contains("role analytics-ro: granted", "ttl PT1H: exceeds PT15M");
    assertThat(r.getRulesList()).extracting(t -> t.getRule()).containsExactly("agents", "attested-workloads", "limited");
  }

  @Test
  void cli_auditQueryAndServerVerifyAndExplain_overTheAdminApi() throws Exception {
    try (Agent agent = new Agent(minter.channelFor(AGENT))) {
      agent.begin("report:cli", 60, "analytics-ro");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream original = System.out;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    int query;
    int verify;
    int explain;
    try {
      query = Main.commandLine().execute(args("audit", "query", "--event", "task.begin", "--since", "1h", "-o", "table"));
      verify = Main.commandLine().execute(args("audit", "verify"));
      explain = Main.commandLine().execute(args("policy", "explain", "--server", "--identity", AGENT,
          "--role", "analytics-ro", "--purpose", "report:x"));
    } finally {
      System.setOut(original);
    }
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(query).isZero();
    assertThat(verify).isZero();
    assertThat(explain).isZero();
    assertThat(text).contains("task.begin").contains(AGENT).contains("server audit log: intact")
        .contains("rule agents: applies, ALLOWS").contains("decision: ALLOW by rule 'agents'");
  }

  private static String[] args(String... command) {
    List<String> all = new ArrayList<>(List.of(command));
    all.addAll(minter.clientFiles("admin"));
    return all.toArray(String[]::new);
  }

  private static List<AuditRecord> query(QueryAuditRequest request) {
    List<AuditRecord> records = new ArrayList<>();
    MinterAdminGrpc.newBlockingStub(admin).withDeadlineAfter(30, TimeUnit.SECONDS).queryAudit(request)
        .forEachRemaining(records::add);
    return records;
  }
}
