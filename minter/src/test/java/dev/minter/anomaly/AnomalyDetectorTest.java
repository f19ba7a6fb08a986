package dev.minter.anomaly;

import static dev.minter.policy.AnomalySettings.ATTESTATION_FAILURES;
import static dev.minter.policy.AnomalySettings.DELEGATION_FAN_OUT;
import static dev.minter.policy.AnomalySettings.MINT_RATE;
import static dev.minter.policy.AnomalySettings.NEW_PURPOSE;
import static dev.minter.policy.AnomalySettings.NEW_ROLE;
import static dev.minter.policy.AnomalySettings.UNUSUAL_HOUR;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minter.attest.TestClock;
import dev.minter.policy.AnomalySettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Drives synthetic event streams through the detector with a test clock and asserts exactly what is flagged. Calls
 * go through {@link #allowed} (check, mark alerted, learn: what the guard does under {@code alert}) or
 * {@link #refused} (check only: what it does under {@code deny}).
 */
class AnomalyDetectorTest {
  static final String BOT = "spiffe://minter.local/agents/report-bot";
  static final Instant MONDAY_0900 = Instant.parse("2026-11-02T09:00:00Z");
  static final AnomalySettings DEFAULTS = AnomalySettings.DEFAULTS;

  final TestClock clock = new TestClock(MONDAY_0900);
  final InventoryStub inventory = new InventoryStub();
  AnomalyDetector detector = new AnomalyDetector(inventory, clock);

  List<Anomaly> allowed(Activity activity) {
    List<Anomaly> found = detector.check(activity, DEFAULTS);
    detector.raised(found);
    detector.learn(activity, DEFAULTS);
    return found;
  }

  List<Anomaly> refused(Activity activity) {
    return detector.check(activity, DEFAULTS);
  }

  static Activity begin(String role, String purpose) {
    return Activity.begin(BOT, List.of(role), purpose);
  }

  static Activity mint(String role) {
    return Activity.mint(BOT, role, "report:daily");
  }

  /** {@code minutes} of steady work from now: a task every 10 minutes, two mints a minute (at :00 and :30). */
  List<Anomaly> steady(int minutes) {
    List<Anomaly> found = new ArrayList<>();
    for (int m = 0; m < minutes; m++) {
      if (m % 10 == 0) {
        found.addAll(allowed(begin("analytics-ro", "report:daily")));
      }
      found.addAll(allowed(mint("analytics-ro")));
      clock.advance(Duration.ofSeconds(30));
      found.addAll(allowed(mint("analytics-ro")));
      clock.advance(Duration.ofSeconds(30));
    }
    return found;
  }

  /** {@code days} of office hours (09:00–17:00 UTC) of steady work, starting today at 09:00; ends the next 09:00. */
  List<Anomaly> officeDays(int days) {
    List<Anomaly> found = new ArrayList<>();
    for (int d = 0; d < days; d++) {
      found.addAll(steady(8 * 60));
      clock.advance(Duration.ofHours(16));
    }
    return found;
  }

  @Test
  void steadyStream_threeWeeksOfOfficeHours_flagsNothing() {
    assertThat(officeDays(21)).isEmpty();
  }

  @Test
  void burstAfterWarmup_flagsMintRateOnce_withBaselineAndObservation() {
    assertThat(steady(120)).isEmpty();
    clock.advance(Duration.ofSeconds(10)); // 11:00:10
    List<Anomaly> found = new ArrayList<>();
    for (int i = 0; i < 14; i++) {
      found.addAll(allowed(mint("analytics-ro")));
      clock.advance(Duration.ofSeconds(1));
    }

    assertThat(found).singleElement().satisfies(a -> {
      assertThat(a.kind()).isEqualTo(MINT_RATE);
      assertThat(a.identity()).isEqualTo(BOT);
      assertThat(a.baseline()).startsWith("ewma 2.0 mints/min").contains("threshold 10.0 = max(4 × ewma, floor 10)");
      assertThat(a.observation()).isEqualTo("11 mints in the last minute");
    });
    clock.advance(Duration.ofMinutes(2));
    assertThat(steady(60)).as("back to normal after the burst").isEmpty();
  }

  @Test
  void burstRefused_isFlaggedOnEveryAttempt_andDoesNotRaiseTheBaseline() {
    steady(120);
    clock.advance(Duration.ofSeconds(10));
    for (int i = 0; i < 9; i++) { // up to the threshold of 10, not over it
      assertThat(allowed(mint("analytics-ro"))).isEmpty();
      clock.advance(Duration.ofSeconds(1));
    }
    List<Anomaly> refusals = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      refusals.addAll(refused(mint("analytics-ro")));
      clock.advance(Duration.ofSeconds(1));
    }

    assertThat(refusals).hasSize(20).allSatisfy(a -> assertThat(a.baseline()).startsWith("ewma 2.0 mints/min"));
  }

  @Test
  void newAgent_duringWarmup_flagsNothing() {
    List<Anomaly> found = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      found.addAll(allowed(begin("role-" + i, "purpose-" + i)));
      found.addAll(allowed(mint("role-" + i)));
      clock.advance(Duration.ofSeconds(1));
    }
    clock.advance(Duration.ofHours(5)); // 02:00-ish the next morning is still inside the learning day
    found.addAll(allowed(begin("another-role", "another-purpose")));

    assertThat(found).isEmpty();
  }

  @Test
  void newRoleAfterLearning_isFlagged_knownRoleIsNot() {
    steady(60);
    clock.advance(Duration.ofHours(24));

    assertThat(allowed(begin("analytics-ro", "report:daily"))).isEmpty();
    assertThat(allowed(begin("payments-rw", "report:daily"))).singleElement().satisfies(a -> {
      assertThat(a.kind()).isEqualTo(NEW_ROLE);
      assertThat(a.baseline()).startsWith("roles used since 2026-11-02T09:00:00Z: [analytics-ro]");
      assertThat(a.observation()).isEqualTo("first use of role 'payments-rw'");
    });
    assertThat(allowed(begin("payments-rw", "report:daily"))).as("learned once allowed").isEmpty();
  }

  @Test
  void newPurposeAfterLearning_isFlagged() {
    steady(60);
    clock.advance(Duration.ofHours(24));

    assertThat(allowed(begin("analytics-ro", "export:everything")))
        .extracting(Anomaly::kind, Anomaly::observation)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(NEW_PURPOSE, "first use of purpose 'export:everything'"));
  }

  @Test
  void offHoursCall_afterOfficeHoursHistory_flagsUnusualHour_officeHourCallDoesNot() {
    assertThat(officeDays(8)).isEmpty();
    assertThat(allowed(begin("analytics-ro", "report:daily"))).as("09:00").isEmpty();
    clock.advance(Duration.ofHours(18)); // 03:00 the next day

    List<Anomaly> night = allowed(begin("analytics-ro", "report:daily"));
    assertThat(night).singleElement().satisfies(a -> {
      assertThat(a.kind()).isEqualTo(UNUSUAL_HOUR);
      assertThat(a.baseline()).startsWith("0.0% of its recent activity falls in hour 03 UTC").endsWith("09-16");
      assertThat(a.observation()).isEqualTo("activity at 03:00 UTC");
    });
    clock.advance(Duration.ofMinutes(5));
    assertThat(allowed(mint("analytics-ro"))).as("same odd hour: one alert").isEmpty();
    clock.advance(Duration.ofHours(7));
    assertThat(allowed(mint("analytics-ro"))).as("10:05").isEmpty();
  }

  @Test
  void attestationFailures_overThresholdInWindow_flagOncePerBurstAndPerSource() {
    List<Optional<Anomaly>> first = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      first.add(detector.attestationFailed("10.0.0.9", "x509_svid untrusted", DEFAULTS));
      clock.advance(Duration.ofSeconds(2));
    }
    Optional<Anomaly> other = detector.attestationFailed("10.0.0.7", "x509_svid untrusted", DEFAULTS);

    assertThat(first.subList(0, 5)).allMatch(Optional::isEmpty);
    assertThat(first.get(5)).hasValueSatisfying(a -> {
      assertThat(a.kind()).isEqualTo(ATTESTATION_FAILURES);
      assertThat(a.identity()).isEqualTo("10.0.0.9");
      assertThat(a.baseline()).isEqualTo("at most 5 failed attestations per PT1M");
      assertThat(a.observation()).isEqualTo("6 failed attestations in the last PT1M (latest: x509_svid untrusted)");
    });
    assertThat(first.subList(6, 10)).allMatch(Optional::isEmpty);
    assertThat(other).isEmpty();

    clock.advance(Duration.ofMinutes(5));
    List<Optional<Anomaly>> second = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      second.add(detector.attestationFailed("10.0.0.9", "jwt_svid replayed", DEFAULTS));
    }
    assertThat(second.stream().filter(Optional::isPresent)).hasSize(1);
  }

  @Test
  void seededFromInventory_restartDoesNotRelearn() {
    inventory.agent(BOT, MONDAY_0900.minus(Duration.ofDays(30)), Set.of("analytics-ro"), Set.of("report:daily"));
    detector = new AnomalyDetector(inventory, clock); // a fresh detector: Minter restarted

    assertThat(allowed(begin("analytics-ro", "report:daily"))).isEmpty();
    assertThat(allowed(begin("payments-rw", "report:daily"))).extracting(Anomaly::kind).containsExactly(NEW_ROLE);
  }

  @Test
  void seededAgentStillInsideLearningPeriod_isNotFlagged() {
    inventory.agent(BOT, MONDAY_0900.minus(Duration.ofHours(2)), Set.of("analytics-ro"), Set.of("report:daily"));

    assertThat(allowed(begin("payments-rw", "export:all"))).isEmpty();
  }

  @Test
  void manyAgents_trackedUpToTheCap_evictedAgentReseededFromInventory() {
    detector = new AnomalyDetector(inventory, clock, 3, 2);
    inventory.agent("spiffe://a/0", MONDAY_0900.minus(Duration.ofDays(3)), Set.of("r"), Set.of("p"));
    for (int i = 0; i < 5; i++) {
      detector.learn(Activity.begin("spiffe://a/" + i, List.of("r"), "p"), DEFAULTS);
    }
    for (int i = 0; i < 5; i++) {
      detector.attestationFailed("10.0.0." + i, "x", DEFAULTS);
    }
    assertThat(detector.trackedAgents()).isEqualTo(3);
    assertThat(detector.trackedSources()).isEqualTo(2);

    int before = inventory.lookups.get();
    List<Anomaly> found = detector.check(Activity.begin("spiffe://a/0", List.of("r", "s"), "p"), DEFAULTS);
    assertThat(inventory.lookups.get()).as("re-seeded").isEqualTo(before + 1);
    assertThat(found).extracting(Anomaly::observation).containsExactly("first use of role 's'");
  }

  @Test
  void delegationFanOut_taskFarAboveItsUsualGrants_flaggedOncePerTask() {
    List<Anomaly> found = new ArrayList<>();
    for (int t = 0; t < 6; t++) {
      for (int g = 0; g < 1 + t % 2; g++) {
        detector.checkDelegation(BOT, "task-" + t, DEFAULTS).ifPresent(found::add);
        detector.learnDelegation(BOT, "task-" + t);
      }
    }
    assertThat(found).as("ordinary fan-out").isEmpty();

    for (int g = 0; g < 9; g++) {
      detector.checkDelegation(BOT, "task-wide", DEFAULTS).ifPresent(a -> {
        found.add(a);
        detector.raisedDelegation(BOT, "task-wide");
      });
      detector.learnDelegation(BOT, "task-wide");
    }
    assertThat(found).singleElement().satisfies(a -> {
      assertThat(a.kind()).isEqualTo(DELEGATION_FAN_OUT);
      assertThat(a.observation()).isEqualTo("6 grants from task task-wide");
      assertThat(a.baseline()).contains("grants per delegating task over 6 tasks").contains("floor 5");
    });
  }
}
