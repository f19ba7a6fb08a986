package dev.minter.anomaly;

import dev.minter.policy.AnomalySettings;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One agent's delegation fan-out: grants per delegating task. The baseline is an EWMA of the grant counts of its
 * earlier delegating tasks (a task's count is folded in when the agent starts delegating from another task, so it is
 * approximate when tasks overlap). Counts of at most {@link #TASKS} recent tasks are kept: constant memory.
 */
final class FanOut {
  static final int TASKS = 16;
  private static final double ALPHA = 0.2;

  private final Map<String, Integer> counts =
      new LinkedHashMap<>(TASKS, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
          return size() > TASKS;
        }
      };
  private String lastTask;
  private int folded; // delegating tasks in the baseline
  private double average;
  private String quietTask;

  Optional<Anomaly> check(String identity, String task, AnomalySettings.FanOut s) {
    int observed = counts.getOrDefault(task, 0) + 1;
    if (folded < s.warmupTasks() || task.equals(quietTask)) {
      return Optional.empty();
    }
    double threshold = Math.max(s.factor() * average, s.floor());
    if (observed <= threshold) {
      return Optional.empty();
    }
    return Optional.of(
        new Anomaly(
            AnomalySettings.DELEGATION_FAN_OUT,
            identity,
            String.format(
                Locale.ROOT,
                "ewma %.1f grants per delegating task over %d tasks; threshold %.1f = max(%s × ewma, floor %d)",
                average, folded, threshold, MintRate.trim(s.factor()), s.floor()),
            observed + " grants from task " + task));
  }

  void learn(String task) {
    if (!counts.containsKey(task)) {
      Integer last = lastTask == null ? null : counts.get(lastTask);
      if (last != null) {
        average = folded == 0 ? last : ALPHA * last + (1 - ALPHA) * average;
        folded++;
      }
      lastTask = task;
    }
    counts.merge(task, 1, Integer::sum);
  }

  void raised(String task) {
    quietTask = task; // one alert per task
  }
}
