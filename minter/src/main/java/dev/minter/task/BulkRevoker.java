package dev.minter.task;

import static java.util.Objects.requireNonNull;

import dev.minter.ledger.Ledger;
import dev.minter.ledger.TaskQuery;
import dev.minter.ledger.TaskRecord;
import dev.minter.ledger.TaskState;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Revokes every open task a query matches, each through {@link TaskRevoker#end} (so each gets its own
 * {@code task.revoke} audit record and receipt, exactly as a single revoke would).
 *
 * <p>The matching set is fixed before the first revocation, so a bulk revoke never chases tasks begun while it runs.
 * At most {@link #CONCURRENCY} tasks are revoked at a time, on virtual threads: enough to hide Vault's round trips,
 * few enough not to flood Vault or the ledger. Once started it runs to the end even if nobody listens any more: a
 * half-done revocation would leave the operator not knowing which credentials still work.
 */
public final class BulkRevoker {
  private static final Logger log = LoggerFactory.getLogger(BulkRevoker.class);
  static final int CONCURRENCY = 16;
  static final int PAGE = 1000;
  static final int PROGRESS_EVERY = 50;
  static final long PROGRESS_MILLIS = 500;
  static final int DRY_RUN_IDS_PER_EVENT = 500;

  private final Ledger ledger;
  private final TaskRevoker revoker;
  private final Clock clock;

  BulkRevoker(Ledger ledger, TaskRevoker revoker, Clock clock) {
    this.ledger = ledger;
    this.revoker = revoker;
    this.clock = clock;
  }

  /** What a bulk revoke reports as it goes. Called from several threads, one call at a time. */
  public interface Listener {
    /** {@code done} of {@code matched} tasks handled; in a dry run, {@code taskIds} are the next matching ids. */
    void progress(long matched, long done, List<String> taskIds);

    void receipt(Receipt receipt);
  }

  /** The outcome: {@code revoked} confirmed, {@code queued} with revocations left to retry, {@code failed} not ended. */
  public record Summary(long matched, long revoked, long queued, long failed, boolean dryRun) {}

  Summary run(TaskQuery query, String operator, String reason, boolean dryRun, Listener listener) {
    requireNonNull(operator, "operator");
    requireNonNull(listener, "listener");
    List<TaskRecord> matched = matching(query.withState(TaskState.OPEN));
    long total = matched.size();
    if (dryRun) {
      List<String> ids = matched.stream().map(TaskRecord::taskId).toList();
      listener.progress(total, 0, List.of());
      for (int i = 0; i < ids.size(); i += DRY_RUN_IDS_PER_EVENT) {
        listener.progress(total, 0, ids.subList(i, Math.min(ids.size(), i + DRY_RUN_IDS_PER_EVENT)));
      }
      return new Summary(total, 0, 0, 0, true);
    }
    Progress progress = new Progress(total, listener);
    listener.progress(total, 0, List.of());
    String requestId = RequestIds.current();
    Semaphore permits = new Semaphore(CONCURRENCY);
    try (ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor()) {
      for (TaskRecord task : matched) {
        permits.acquireUninterruptibly(); // a revoke in flight is finished, not abandoned
        workers.execute(() -> {
          try {
            progress.ended(RequestIds.with(requestId, () -> revoker.end(task, TaskState.REVOKED, operator, reason)));
          } catch (RuntimeException e) {
            // Typically ended concurrently (completed, expired, revoked by someone else); the rest go on.
            log.warn("bulk revoke: task {} not ended: {}", task.taskId(), e.toString());
            progress.failed();
          } finally {
            permits.release();
          }
        });
      }
    } // close() waits for every submitted revocation
    listener.progress(total, total, List.of());
    return progress.summary();
  }

  private List<TaskRecord> matching(TaskQuery query) {
    List<TaskRecord> all = new ArrayList<>();
    String after = null;
    while (true) {
      List<TaskRecord> page = ledger.findTasks(query, PAGE, after);
      all.addAll(page);
      if (page.size() < PAGE) {
        return all;
      }
      after = page.getLast().taskId();
    }
  }

  /** Counts outcomes and decides when to report progress; one lock serialises the listener. */
  private final class Progress {
    private final long total;
    private final Listener listener;
    private final AtomicLong revoked = new AtomicLong();
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private long done;
    private long lastReport;
    // A lock, not synchronized: virtual threads waiting on it do not pin their carriers.
    private final ReentrantLock lock = new ReentrantLock();

    Progress(long total, Listener listener) {
      this.total = total;
      this.listener = listener;
      this.lastReport = clock.millis();
    }

    void ended(Receipt receipt) {
      (receipt.confirmed() ? revoked : queued).incrementAndGet();
      report(receipt);
    }

    void failed() {
      failed.incrementAndGet();
      report(null);
    }

    private void report(Receipt receipt) {
      lock.lock();
      try {
        if (receipt != null) {
          listener.receipt(receipt);
        }
        done++;
        long now = clock.millis();
        if (done < total && (done % PROGRESS_EVERY == 0 || now - lastReport >= PROGRESS_MILLIS)) {
          lastReport = now;
          listener.progress(total, done, List.of());
        }
      } finally {
        lock.unlock();
      }
    }

    Summary summary() {
      return new Summary(total, revoked.get(), queued.get(), failed.get(), false);
    }
  }
}
