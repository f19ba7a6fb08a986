package dev.minter.api;

import dev.minter.attest.WorkloadIdentity;
import dev.minter.ledger.LeaseRecord;
import dev.minter.ledger.TaskRecord;
import dev.minter.ledger.TaskState;
import dev.minter.proto.v1.GetTaskRequest;
import dev.minter.proto.v1.LeaseInfo;
import dev.minter.proto.v1.ListTasksRequest;
import dev.minter.proto.v1.ListTasksResponse;
import dev.minter.proto.v1.RevokeEvent;
import dev.minter.proto.v1.RevokeProgress;
import dev.minter.proto.v1.RevokeRequest;
import dev.minter.proto.v1.RevokeSummary;
import dev.minter.proto.v1.TaskInfo;
import dev.minter.task.BulkRevoker;
import dev.minter.task.Receipt;
import dev.minter.task.RequestIds;
import dev.minter.task.TaskService;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;

/** The admin API's task RPCs: list, show, and revoke by selector. Admission is the caller's ({@code admit}). */
final class AdminTasks {
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 10_000;

  private final TaskService tasks;
  private final BiFunction<String, String, WorkloadIdentity> admit;

  AdminTasks(TaskService tasks, BiFunction<String, String, WorkloadIdentity> admit) {
    this.tasks = tasks;
    this.admit = admit;
  }

  ListTasksResponse list(ListTasksRequest request) {
    admit.apply("ListTasks", Selectors.describe(request.getSelector()));
    int limit = request.getLimit() == 0 ? DEFAULT_LIMIT : request.getLimit();
    if (limit < 0 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit: " + limit + " (expected: 1.." + MAX_LIMIT + ")");
    }
    String after = request.getPageToken().isEmpty() ? null : request.getPageToken();
    List<TaskRecord> page = tasks.findTasks(Selectors.forList(request.getSelector(), tasks::agentsOwnedBy), limit, after);
    ListTasksResponse.Builder response = ListTasksResponse.newBuilder();
    page.forEach(t -> response.addTasks(info(t, List.of())));
    if (page.size() == limit) {
      response.setNextPageToken(page.getLast().taskId());
    }
    return response.build();
  }

  TaskInfo get(GetTaskRequest request) {
    admit.apply("GetTask", request.getTaskId());
    TaskService.TaskDetail detail = tasks.detail(request.getTaskId());
    return info(detail.task(), detail.leases());
  }

  /**
   * Streams a bulk revoke. The operator is admitted and the selector checked before anything is revoked; then
   * progress, one receipt per task and a summary. If the client goes away the revoke still finishes (see {@link
   * BulkRevoker}); only the events are dropped.
   */
  void revoke(RevokeRequest request, StreamObserver<RevokeEvent> observer) {
    String requestId = Caller.requestId();
    Events events = new Events(observer);
    BulkRevoker.Summary summary;
    try {
      summary = RequestIds.with(requestId, () -> {
        String subject = Selectors.describe(request.getSelector()) + (request.getDryRun() ? " dry_run" : "");
        WorkloadIdentity operator = admit.apply("Revoke", subject);
        return tasks.revokeAll(
            operator, Selectors.forRevoke(request.getSelector(), tasks::agentsOwnedBy), request.getReason(), request.getDryRun(), events);
      });
    } catch (RuntimeException | Error e) {
      observer.onError(StatusMapper.toStatus(e, requestId));
      return;
    }
    events.send(RevokeEvent.newBuilder().setSummary(RevokeSummary.newBuilder()
        .setMatched(summary.matched())
        .setRevoked(summary.revoked())
        .setQueued(summary.queued())
        .setFailed(summary.failed())
        .setDryRun(summary.dryRun())).build());
    events.complete();
  }

  static TaskInfo info(TaskRecord t, List<LeaseRecord> leases) {
    TaskInfo.Builder b = TaskInfo.newBuilder()
        .setTaskId(t.taskId())
        .setAgent(t.agent())
        .setAttestor(t.attestorKind())
        .setPurpose(t.purpose())
        .addAllRoles(t.roles())
        .setRule(t.rule())
        .putAllLabels(t.labels())
        .setTokenAccessor(t.tokenAccessor())
        .setState(state(t.state()))
        .setCreatedAt(ProtoMapper.toTimestamp(t.createdAt()))
        .setExpiresAt(ProtoMapper.toTimestamp(t.expiresAt()))
        .setParentTaskId(t.parentTaskId())
        .addAllChain(ProtoMapper.chain(t));
    for (LeaseRecord l : leases) {
      b.addLeases(LeaseInfo.newBuilder()
          .setLeaseId(l.leaseId())
          .setRole(l.role())
          .setKind(l.kind())
          .setIssuedAt(ProtoMapper.toTimestamp(l.issuedAt()))
          .setExpiresAt(ProtoMapper.toTimestamp(l.expiresAt()))
          .setRevoked(l.revoked()));
    }
    return b.build();
  }

  private static dev.minter.proto.v1.TaskState state(TaskState state) {
    return switch (state) {
      case OPEN -> dev.minter.proto.v1.TaskState.TASK_STATE_OPEN;
      case COMPLETED -> dev.minter.proto.v1.TaskState.TASK_STATE_COMPLETED;
      case REVOKED -> dev.minter.proto.v1.TaskState.TASK_STATE_REVOKED;
      case EXPIRED -> dev.minter.proto.v1.TaskState.TASK_STATE_EXPIRED;
    };
  }

  /** The stream side: events from worker threads, one at a time; dropped once the client has gone. */
  private static final class Events implements BulkRevoker.Listener {
    private final StreamObserver<RevokeEvent> observer;
    private final AtomicBoolean cancelled = new AtomicBoolean();

    Events(StreamObserver<RevokeEvent> observer) {
      this.observer = observer;
      if (observer instanceof ServerCallStreamObserver<RevokeEvent> call) {
        call.setOnCancelHandler(() -> cancelled.set(true));
      }
    }

    @Override
    public void progress(long matched, long done, List<String> taskIds) {
      send(RevokeEvent.newBuilder()
          .setProgress(RevokeProgress.newBuilder().setMatched(matched).setDone(done).addAllTaskIds(taskIds))
          .build());
    }

    @Override
    public void receipt(Receipt receipt) {
      send(RevokeEvent.newBuilder().setReceipt(ProtoMapper.toProto(receipt)).build());
    }

    void send(RevokeEvent event) {
      if (!cancelled.get()) {
        try {
          observer.onNext(event);
        } catch (RuntimeException e) {
          cancelled.set(true); // the call ended under us (client gone): keep revoking, stop sending
        }
      }
    }

    void complete() {
      if (!cancelled.get()) {
        observer.onCompleted();
      }
    }
  }
}
