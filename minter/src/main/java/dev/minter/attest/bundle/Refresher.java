package dev.minter.attest.bundle;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The refresh machinery of a fetched trust source: holds the last good value, fetches in the background when the
 * publisher's interval is up, and lets a verifier that met an unknown key id ask for one early fetch.
 *
 * <p>Three rules make it safe on the verification path. A verification never waits on the network longer than
 * {@link RefreshOptions#waitOnMiss}: fetches run on a background executor. A failed fetch never replaces the last
 * good value. And no two fetches start within {@link RefreshOptions#minInterval} of each other (explicit
 * {@link #refreshNow} aside), so a flood of forged key ids costs at most one fetch per interval.
 */
final class Refresher<T> {
  /** A fetched value and the publisher's refresh hint, if it gave one. */
  record Fetched<T>(T value, Optional<Duration> hint) {
    Fetched {
      requireNonNull(value, "value");
      requireNonNull(hint, "hint");
    }
  }

  /** One blocking fetch; throws when nothing usable came back. */
  @FunctionalInterface
  interface Fetch<T> {
    Fetched<T> fetch(Optional<T> current) throws IOException, InterruptedException;
  }

  /** Shared background threads for all sources; daemon, so they never hold the JVM up. */
  static final ExecutorService BACKGROUND = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "minter-trust-refresh");
    t.setDaemon(true);
    return t;
  });

  private static final Logger log = LoggerFactory.getLogger(Refresher.class);

  private final String what;
  private final Fetch<T> fetch;
  private final Clock clock;
  private final RefreshOptions options;
  private final Executor executor;

  private volatile T value;
  private volatile Instant nextRefresh = Instant.MIN;
  private Instant lastStart; // guarded by this
  private CompletableFuture<Boolean> inflight; // guarded by this
  private volatile long fetches;

  Refresher(String what, Fetch<T> fetch, Optional<T> initial, Clock clock, RefreshOptions options, Executor executor) {
    this.what = requireNonNull(what, "what");
    this.fetch = requireNonNull(fetch, "fetch");
    this.value = requireNonNull(initial, "initial").orElse(null);
    this.clock = requireNonNull(clock, "clock");
    this.options = requireNonNull(options, "options");
    this.executor = requireNonNull(executor, "executor");
  }

  /** The last good value, starting a background fetch if one is due; waits briefly only while there is none yet. */
  Optional<T> current() {
    Instant now = clock.instant();
    if (!now.isBefore(nextRefresh)) {
      CompletableFuture<Boolean> f = start(now, false);
      if (value == null && f != null) {
        await(f);
      }
    }
    return Optional.ofNullable(value);
  }

  /** The last good value, without starting anything (for code running inside a fetch, e.g. its TLS check). */
  Optional<T> peek() {
    return Optional.ofNullable(value);
  }

  /**
   * For a verifier that met a key id the current value lacks: one early fetch, unless a fetch started within the
   * minimum interval; waits at most {@code waitOnMiss} for it, then returns whatever is current.
   */
  Optional<T> currentAfterMiss() {
    CompletableFuture<Boolean> f = start(clock.instant(), true);
    if (f != null) {
      await(f);
    }
    return Optional.ofNullable(value);
  }

  /** Fetches now and waits for it, ignoring the interval gates (startup, admin reload); true when it succeeded. */
  boolean refreshNow() throws InterruptedException {
    CompletableFuture<Boolean> f;
    synchronized (this) {
      f = inflight != null && !inflight.isDone() ? inflight : launch(clock.instant());
    }
    try {
      return f.get();
    } catch (java.util.concurrent.ExecutionException e) {
      return false;
    }
  }

  /** How many fetches have started (for tests and metrics). */
  long fetchCount() {
    return fetches;
  }

  private synchronized CompletableFuture<Boolean> start(Instant now, boolean miss) {
    if (inflight != null && !inflight.isDone()) {
      return inflight;
    }
    if (miss && lastStart != null && now.isBefore(lastStart.plus(options.minInterval()))) {
      return null;
    }
    if (!miss && now.isBefore(nextRefresh)) {
      return null;
    }
    return launch(now);
  }

  private CompletableFuture<Boolean> launch(Instant now) {
    lastStart = now;
    fetches++;
    // Until this fetch finishes, no scheduled fetch is due; its outcome sets the next time.
    nextRefresh = now.plus(options.minInterval());
    inflight = CompletableFuture.supplyAsync(this::runFetch, executor);
    return inflight;
  }

  private boolean runFetch() {
    try {
      Fetched<T> got = fetch.fetch(Optional.ofNullable(value));
      value = got.value();
      Duration interval = options.intervalFor(got.hint());
      nextRefresh = clock.instant().plus(interval);
      log.debug("{} refreshed; next refresh in {}", what, interval);
      return true;
    } catch (IOException | RuntimeException e) {
      nextRefresh = clock.instant().plus(options.minInterval());
      log.warn("{} could not be refreshed ({}); {}", what, e.getMessage(),
          value == null ? "nothing is trusted from it yet" : "keeping the last good one");
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      nextRefresh = clock.instant().plus(options.minInterval());
      return false;
    }
  }

  private void await(CompletableFuture<Boolean> f) {
    try {
      f.get(options.waitOnMiss().toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
      // Go on with what is cached; the fetch finishes in the background.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
