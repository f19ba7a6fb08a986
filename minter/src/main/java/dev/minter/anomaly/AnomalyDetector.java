package dev.minter.anomaly;

import static java.util.Objects.requireNonNull;

import dev.minter.ledger.AgentRecord;
import dev.minter.ledger.Agents;
import dev.minter.policy.AnomalySettings;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Streaming, explainable baselines per agent: mint rate (EWMA), roles and purposes seen, hours of activity,
 * delegation fan-out; and failed attestations per source. Each deviation is an {@link Anomaly} naming the baseline
 * and the observation.
 *
 * <p>Checking and learning are separate on purpose: {@link #check} only reads, and the caller {@link #learn}s a call
 * only once it went ahead, so refused calls (an attacker hammering a denied role, a denied burst) never inflate the
 * baseline they are measured against. {@link #raised} opens an episode so one burst or one odd hour alerts once,
 * not on every call; a refused call opens none, so every refusal is flagged (and audited) again.
 *
 * <p>Memory is bounded: at most {@code maxAgents} agents and {@code maxSources} attestation sources are tracked,
 * least recently active evicted first; each uses constant memory per signal (roles and purposes seen are bounded by
 * the policy's roles and the agent's purposes). Sources have their own cap so a spray of failing addresses cannot
 * evict agents' baselines. An evicted agent is re-seeded from the inventory. Thread-safe: one lock, held only for
 * arithmetic (the inventory read happens outside it).
 */
public final class AnomalyDetector {
  /** Default cap on tracked agents (a few KB each). */
  public static final int DEFAULT_MAX_AGENTS = 10_000;
  /** Default cap on tracked attestation sources. */
  public static final int DEFAULT_MAX_SOURCES = 10_000;

  private final Agents inventory;
  private final Clock clock;
  private final Map<String, AgentBaseline> agents;
  private final Map<String, FailureWindow> sources;

  public AnomalyDetector(Agents inventory, Clock clock) {
    this(inventory, clock, DEFAULT_MAX_AGENTS, DEFAULT_MAX_SOURCES);
  }

  public AnomalyDetector(Agents inventory, Clock clock, int maxAgents, int maxSources) {
    this.inventory = requireNonNull(inventory, "inventory");
    this.clock = requireNonNull(clock, "clock");
    if (maxAgents < 1 || maxSources < 1) {
      throw new IllegalArgumentException("maxAgents/maxSources: " + maxAgents + "/" + maxSources + " (expected: >= 1)");
    }
    this.agents = lru(maxAgents);
    this.sources = lru(maxSources);
  }

  /** The anomalies {@code activity} would be, now; learns nothing. */
  public List<Anomaly> check(Activity activity, AnomalySettings settings) {
    AgentBaseline baseline = baseline(activity.identity());
    synchronized (this) {
      return baseline.check(activity, clock.instant(), settings);
    }
  }

  /** Folds {@code activity}, which went ahead, into its agent's baselines. */
  public void learn(Activity activity, AnomalySettings settings) {
    AgentBaseline baseline = baseline(activity.identity());
    synchronized (this) {
      baseline.learn(activity, clock.instant(), settings);
    }
  }

  /** Marks {@code anomalies} as alerted, so the same episode (burst, hour) is not alerted again. */
  public void raised(List<Anomaly> anomalies) {
    for (Anomaly a : anomalies) {
      if (a.kind().equals(AnomalySettings.ATTESTATION_FAILURES)) {
        continue; // episodes of failures are kept by their window
      }
      AgentBaseline baseline = baseline(a.identity());
      synchronized (this) {
        baseline.raised(a, clock.instant());
      }
    }
  }

  /**
   * Counts a failed attestation from {@code source}. A rejected caller has no verified identity, so the source is
   * what the transport knows (the interceptor passes the peer's address); {@code latest} says what failed, for the
   * anomaly's text.
   */
  public synchronized Optional<Anomaly> attestationFailed(String source, String latest, AnomalySettings settings) {
    return sources
        .computeIfAbsent(source, s -> new FailureWindow())
        .fail(source, latest, clock.instant(), settings.attestationFailures());
  }

  /** The anomaly a further delegation grant from {@code task} by {@code agent} would be, now; learns nothing. */
  public Optional<Anomaly> checkDelegation(String agent, String task, AnomalySettings settings) {
    AgentBaseline baseline = baseline(agent);
    synchronized (this) {
      return baseline.fanOut.check(agent, task, settings.delegationFanOut());
    }
  }

  /** Counts a grant {@code agent} issued from {@code task} (call after the grant was issued). */
  public void learnDelegation(String agent, String task) {
    AgentBaseline baseline = baseline(agent);
    synchronized (this) {
      baseline.fanOut.learn(task);
    }
  }

  /** Marks a fan-out anomaly of {@code task} as alerted: further grants from it are not alerted again. */
  public void raisedDelegation(String agent, String task) {
    AgentBaseline baseline = baseline(agent);
    synchronized (this) {
      baseline.fanOut.raised(task);
    }
  }

  /** How many agents are tracked (at most the cap). */
  public synchronized int trackedAgents() {
    return agents.size();
  }

  /** How many attestation sources are tracked (at most the cap). */
  public synchronized int trackedSources() {
    return sources.size();
  }

  private AgentBaseline baseline(String identity) {
    synchronized (this) {
      AgentBaseline known = agents.get(identity);
      if (known != null) {
        return known;
      }
    }
    // Seeding reads the ledger: outside the lock, so one slow read does not stall every agent.
    Optional<AgentRecord> record = inventory.findAgent(identity);
    synchronized (this) {
      return agents.computeIfAbsent(identity, id -> AgentBaseline.seeded(id, record, clock.instant()));
    }
  }

  private static <V> Map<String, V> lru(int max) {
    return new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > max;
      }
    };
  }
}
