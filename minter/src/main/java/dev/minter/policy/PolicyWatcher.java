package dev.minter.policy;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One daemon thread that asks for a policy check whenever the policy file's folder changes, and at least every
 * {@code interval} otherwise.
 *
 * <p>Why the folder and not the file: editors save by writing a temp file and renaming it over the original, and
 * Kubernetes updates a mounted ConfigMap by re-pointing a {@code ..data} symlink; neither touches the watched file's
 * inode, so only the folder sees an event. Events for the file's own name and for Kubernetes' {@code ..}-prefixed
 * entries trigger a check; others are ignored, since the folder may also hold a busy audit log or ledger. The
 * periodic check covers file systems that send no events (NFS, some container mounts) and symlinks whose target
 * lives in another folder.
 */
final class PolicyWatcher implements AutoCloseable {
  /** Lets a burst of events (write temp file, rename, chmod) settle before the file is read. */
  private static final Duration SETTLE = Duration.ofMillis(100);
  private static final Logger log = LoggerFactory.getLogger(PolicyWatcher.class);

  private final String fileName;
  private final Duration interval;
  private final Consumer<String> check;
  private final WatchService events; // null when the folder cannot be watched: polling only
  private final Thread thread;
  private final CountDownLatch stop = new CountDownLatch(1);
  private volatile boolean closed;

  /** Starts watching; {@code check} receives the trigger, {@code watch} (an event) or {@code poll} (the interval). */
  PolicyWatcher(Path file, Duration interval, Consumer<String> check) throws IOException {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval: " + interval + " (expected: > 0)");
    }
    this.fileName = file.getFileName().toString();
    this.interval = interval;
    this.check = check;
    this.events = register(file.toAbsolutePath().getParent());
    this.thread = Thread.ofPlatform().daemon().name("minter-policy-watch").start(this::run);
  }

  private static WatchService register(Path dir) throws IOException {
    WatchService service = dir.getFileSystem().newWatchService();
    try {
      dir.register(service, ENTRY_CREATE, ENTRY_MODIFY, ENTRY_DELETE);
      return service;
    } catch (IOException | UnsupportedOperationException e) {
      service.close();
      log.warn("cannot watch {} for policy changes ({}); checking by interval only", dir, e.toString());
      return null;
    }
  }

  private void run() {
    try {
      while (!closed) {
        String trigger = awaitChange() ? "watch" : "poll";
        if (closed) {
          return;
        }
        try {
          check.accept(trigger);
        } catch (RuntimeException e) {
          // e.g. the audit log cannot be written: the change was not applied and the next check retries it.
          log.error("policy check failed; will retry: {}", e.toString());
        }
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      // closing
    }
  }

  /** Waits for an event that concerns the file (true) or the interval (false). */
  private boolean awaitChange() throws InterruptedException {
    if (events == null) {
      stop.await(interval.toMillis(), TimeUnit.MILLISECONDS);
      return false;
    }
    long deadline = System.nanoTime() + interval.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      WatchKey key = left > 0 ? events.poll(left, TimeUnit.NANOSECONDS) : null;
      if (key == null) {
        return false;
      }
      if (concernsTheFile(key)) {
        while ((key = events.poll(SETTLE.toMillis(), TimeUnit.MILLISECONDS)) != null) {
          concernsTheFile(key); // drain the burst
        }
        return true;
      }
    }
  }

  private boolean concernsTheFile(WatchKey key) {
    boolean relevant = false;
    for (WatchEvent<?> event : key.pollEvents()) {
      String name = event.context() instanceof Path p ? p.toString() : null;
      // OVERFLOW (no name): events were lost, so anything may have changed.
      relevant |= name == null || name.equals(fileName) || name.startsWith("..");
    }
    key.reset();
    return relevant;
  }

  /**
   * Stops the thread and waits briefly for it. No interrupt: a check in progress finishes rather than seeing its
   * file read fail and auditing a rejection that never happened.
   */
  @Override
  public void close() {
    closed = true;
    stop.countDown();
    try {
      if (events != null) {
        events.close();
      }
    } catch (IOException e) {
      log.warn("closing the policy watch service: {}", e.toString());
    }
    try {
      thread.join(Duration.ofSeconds(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  boolean isAlive() {
    return thread.isAlive();
  }
}
