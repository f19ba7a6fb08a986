package dev.minter.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minter.proto.v1.ListTasksRequest;
import dev.minter.proto.v1.MintCredentialResponse;
import dev.minter.proto.v1.MinterAdminGrpc;
import dev.minter.proto.v1.RevokeEvent;
import dev.minter.proto.v1.RevokeRequest;
import dev.minter.proto.v1.RevokeSummary;
import dev.minter.proto.v1.TaskInfo;
import dev.minter.proto.v1.TaskSelector;
import io.grpc.ManagedChannel;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** An operator's admin stub for tests, plus the checks a revoke test makes on real PostgreSQL credentials. */
final class Admins implements AutoCloseable {
  private final ManagedChannel channel;
  final MinterAdminGrpc.MinterAdminBlockingStub stub;

  Admins(ManagedChannel channel) {
    this.channel = channel;
    this.stub = MinterAdminGrpc.newBlockingStub(channel);
  }

  /** Every event of a Revoke call, in order. */
  List<RevokeEvent> revoke(TaskSelector selector, String reason, boolean dryRun) {
    List<RevokeEvent> events = new ArrayList<>();
    stub.withDeadlineAfter(10, TimeUnit.MINUTES)
        .revoke(RevokeRequest.newBuilder().setSelector(selector).setReason(reason).setDryRun(dryRun).build())
        .forEachRemaining(events::add);
    return List.copyOf(events);
  }

  static RevokeSummary summary(List<RevokeEvent> events) {
    assertThat(events.getLast().hasSummary()).as("the last event is the summary").isTrue();
    return events.getLast().getSummary();
  }

  static List<String> receiptTaskIds(List<RevokeEvent> events) {
    return events.stream().filter(RevokeEvent::hasReceipt).map(e -> e.getReceipt().getTaskId()).toList();
  }

  /** Every task the selector lists, following page tokens. */
  List<TaskInfo> list(TaskSelector selector, int pageSize) {
    List<TaskInfo> all = new ArrayList<>();
    String token = "";
    do {
      var page = stub.withDeadlineAfter(60, TimeUnit.SECONDS).listTasks(
          ListTasksRequest.newBuilder().setSelector(selector).setLimit(pageSize).setPageToken(token).build());
      all.addAll(page.getTasksList());
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    return all;
  }

  static void assertWorks(MintCredentialResponse cred) throws SQLException {
    assertThat(Postgres.countReportsAs(cred.getDatabase().getUsername(), cred.getDatabase().getPassword()))
        .isPositive();
  }

  static void assertRefused(MintCredentialResponse cred) {
    assertThatThrownBy(() -> Postgres.countReportsAs(cred.getDatabase().getUsername(), cred.getDatabase().getPassword()))
        .isInstanceOf(SQLException.class);
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
