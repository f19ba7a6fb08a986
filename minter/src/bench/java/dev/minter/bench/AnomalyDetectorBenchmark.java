package dev.minter.bench;

import dev.minter.anomaly.Activity;
import dev.minter.anomaly.Anomaly;
import dev.minter.anomaly.AnomalyDetector;
import dev.minter.policy.AnomalySettings;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What the anomaly guard does per MintCredential: {@link AnomalyDetector#check} then {@link AnomalyDetector#learn},
 * for one agent and round-robin across {@code agents} established agents (all tracked: the default cap is 10,000).
 * The clock steps so that each agent mints every 10 s (6 a minute, under the rate floor): warm-ups are zero, so
 * the rate, hour and first-seen checks all run their arithmetic instead of returning early.
 *
 * <p>{@link #main} prints the retained heap per tracked agent (a separate JVM, heap difference after full GCs).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AnomalyDetectorBenchmark {
  static final Instant START = Instant.parse("2026-11-30T08:00:00Z");
  static final Set<String> ROLES = Set.of("analytics-ro", "billing-ro", "reports-rw");
  static final Set<String> PURPOSES = Set.of("report:daily", "etl:nightly");
  /** Defaults, but no warm-up periods: every signal is armed from the first event. */
  static final AnomalySettings SETTINGS = new AnomalySettings(
      new AnomalySettings.MintRate(4, 10, Duration.ofHours(1), Duration.ZERO),
      new AnomalySettings.Learning(Duration.ZERO, 0),
      new AnomalySettings.Learning(Duration.ZERO, 0),
      new AnomalySettings.Hours(0.02, Duration.ofDays(14), Duration.ZERO, 1),
      AnomalySettings.Failures.DEFAULTS,
      AnomalySettings.FanOut.DEFAULTS);

  @Param({"1", "10000"})
  public int agents;

  private SteppingClock clock;
  private AnomalyDetector detector;
  private Activity[] activities;
  private int next;

  @Setup
  public void setUp() {
    clock = new SteppingClock(START, Duration.ofSeconds(10).dividedBy(agents));
    InMemoryAgents inventory = new InMemoryAgents();
    activities = new Activity[agents];
    for (int i = 0; i < agents; i++) {
      String id = identity(i);
      inventory.agent(id, START.minus(Duration.ofDays(30)), ROLES, PURPOSES);
      activities[i] = Activity.mint(id, "analytics-ro", "report:daily");
    }
    detector = new AnomalyDetector(inventory, clock);
    for (int i = 0; i < agents * 3; i++) { // seed every baseline (one inventory read each) and give it history
      checkAndLearn();
    }
    if (detector.trackedAgents() != agents) {
      throw new IllegalStateException("tracked " + detector.trackedAgents() + " agents, expected " + agents);
    }
  }

  /** One mint as the guard handles it: check, mark what was found as alerted (one alert per episode), learn. */
  @Benchmark
  public List<Anomaly> checkAndLearn() {
    clock.step();
    Activity a = activities[next];
    next = next + 1 == activities.length ? 0 : next + 1;
    List<Anomaly> found = detector.check(a, SETTINGS);
    if (!found.isEmpty()) {
      detector.raised(found); // rare: the clock entering a new hour of the day opens one unusual_hour episode
    }
    detector.learn(a, SETTINGS);
    return found;
  }

  static String identity(int i) {
    return "spiffe://corp.example/ns/agents-" + (i % 50) + "/sa/agent-" + i;
  }

  /**
   * Retained heap per tracked agent: used heap after full GCs, before and after a detector learns {@code n} agents
   * (each seeded from the inventory, then 20 mints and a begin with two roles). Identity strings are created after
   * the first measurement, so they count (the detector's map keys them). Prints one line per run.
   */
  public static void main(String[] args) throws InterruptedException {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    InMemoryAgents inventory = new InMemoryAgents();
    for (int i = 0; i < n; i++) {
      inventory.agent(identity(i), START.minus(Duration.ofDays(30)), ROLES, PURPOSES);
    }
    for (int round = 0; round < 3; round++) { // the first rounds also warm up the code paths
      SteppingClock clock = new SteppingClock(START, Duration.ofMillis(1));
      long before = usedAfterGc();
      AnomalyDetector detector = new AnomalyDetector(inventory, clock, n, 16);
      for (int i = 0; i < n; i++) {
        String id = new String(identity(i)); // a fresh key, as a request's identity would be
        detector.learn(Activity.begin(id, List.of("analytics-ro", "billing-ro"), "report:daily"), SETTINGS);
        for (int m = 0; m < 20; m++) {
          clock.step();
          detector.learn(Activity.mint(id, "analytics-ro", "report:daily"), SETTINGS);
        }
      }
      long after = usedAfterGc();
      System.out.printf(Locale.ROOT, "anomaly detector: %d agents tracked, %d bytes retained, %.0f bytes/agent%n",
          detector.trackedAgents(), after - before, (after - before) / (double) n);
      Reference.reachabilityFence(detector);
    }
  }

  private static long usedAfterGc() throws InterruptedException {
    var memory = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return memory.getHeapMemoryUsage().getUsed();
  }
}
