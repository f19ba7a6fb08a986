package dev.minter.task;

import static java.util.Objects.requireNonNull;

import dev.minter.ledger.Ledger;
import dev.minter.ledger.TaskQuery;
import dev.minter.ledger.TaskRecord;
import dev.minter.ledger.TaskState;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * It includes the open delegation subtree of every matched task (ending a parent ends its children, so a dry run must
 * count them too), and only the subtrees' roots are handed to the revoker: a selected child whose parent is selected
 * as well is ended once, inside its parent's receipt, never twice. Counts are per task, children included.
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

  /**
   * The outcome, in tasks (children ended with their parent included): {@code matched} selected plus their open
   * descendants; {@code revoked} confirmed; {@code queued} with revocations left to retry; {@code failed} not ended by
   * this revoke (typically ended meanwhile by someone else).
   */
  public record Summary(long matched, long revoked, long queued, long failed, boolean dryRun) {}

  Summary run(TaskQuery query, String operator, String reason, boolean dryRun, Listener listener) {
    requireNonNull(operator, "operator");
    requireNonNull(listener, "listener");
    List<TaskRecord> matched = withOpenDescendants(matching(query.withState(TaskState.OPEN)));
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
      for (TaskRecord task : roots(matched)) {
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

  /** {@code tasks} and, after them, every open task below one of them (breadth-first; each task once). */
  private List<TaskRecord> withOpenDescendants(List<TaskRecord> tasks) {
    Map<String, TaskRecord> all = new LinkedHashMap<>();
    tasks.forEach(t -> all.put(t.taskId(), t));
    Deque<TaskRecord> todo = new ArrayDeque<>(tasks);
    while (!todo.isEmpty()) {
      for (TaskRecord child : ledger.children(todo.pop().taskId())) {
        if (child.state() == TaskState.OPEN && all.putIfAbsent(child.taskId(), child) == null) {
          todo.add(child);
        }
      }
    }
    return List.copyOf(all.values());
  }

  /**
   * The tasks of {@code set} whose parent is not in it: ending them ends the rest, since the set holds open tasks
   * only and the revoker follows every open child. A task the roots cannot reach (only in a corrupted ledger whose
   * parent links form a cycle) is made a root too, so nothing selected is left alive.
   */
  static List<TaskRecord> roots(List<TaskRecord> set) {
    Map<String, List<TaskRecord>> childrenOf = new HashMap<>();
    Set<String> ids = new HashSet<>();
    set.forEach(t -> ids.add(t.taskId()));
    List<TaskRecord> roots = new ArrayList<>();
    for (TaskRecord t : set) {
      if (t.isChild() && ids.contains(t.parentTaskId())) {
        childrenOf.computeIfAbsent(t.parentTaskId(), k -> new ArrayList<>()).add(t);
      } else {
        roots.add(t);
      }
    }
    Set<String> reached = new HashSet<>();
    roots.forEach(r -> reach(r, childrenOf, reached));
    for (TaskRecord t : set) {
      if (!reached.contains(t.taskId())) {
        roots.add(t);
        reach(t, childrenOf, reached);
      }
    }
    return roots;
  }

  private static void reach(TaskRecord from, Map<String, List<TaskRecord>> childrenOf, Set<String> reached) {
    Deque<TaskRecord> todo = new ArrayDeque<>(List.of(from));
    while (!todo.isEmpty()) {
      TaskRecord t = todo.pop();
      if (reached.add(t.taskId())) {
        todo.addAll(childrenOf.getOrDefault(t.taskId(), List.of()));
      }
    }
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
      List<Receipt> tasks = receipt.all();
      for (Receipt r : tasks) {
        (r.confirmedHere() ? revoked : queued).incrementAndGet();
      }
      report(receipt, tasks.size());
    }

    void failed() {
      report(null, 1);
    }

    private void report(Receipt receipt, int tasks) {
      lock.lock();
      try {
        if (receipt != null) {
          listener.receipt(receipt);
        }
        done += tasks;
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
      // Failed is what was matched but not ended here: a root that failed, and any child ended meanwhile by others.
      long ended = revoked.get() + queued.get();
      return new Summary(total, revoked.get(), queued.get(), Math.max(0, total - ended), false);
    }
  }
}
