package dev.minter.ledger;

import static dev.minter.ledger.LedgerFixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The delegation_grants table: grants round-trip, are spent exactly once, and count toward a task's fan-out. */
class SqliteLedgerGrantsTest {
  static final Instant ISSUED = T0.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
  static final Instant EXPIRES = ISSUED.plusSeconds(300);

  @TempDir Path dir;
  private SqliteLedger ledger;

  @BeforeEach
  void open() {
    ledger = SqliteLedger.open(dir.resolve("ledger.db"), TokenCipher.loadOrCreate(dir.resolve("ledger.key")),
        Clock.fixed(T0, ZoneOffset.UTC));
  }

  @AfterEach
  void close() {
    ledger.close();
  }

  @Test
  void insertGrant_thenFind_roundTripsEveryField() {
    GrantRecord grant = grant("grt_1", "tsk_p");
    ledger.insertGrant(grant);

    assertThat(ledger.findGrant("grt_1")).contains(grant);
    assertThat(ledger.findGrant("grt_unknown")).isEmpty();
  }

  @Test
  void redeemGrant_secondTime_false() {
    ledger.insertGrant(grant("grt_1", "tsk_p"));

    assertThat(ledger.redeemGrant("grt_1", ISSUED.plusSeconds(10))).isTrue();
    assertThat(ledger.redeemGrant("grt_1", ISSUED.plusSeconds(11))).isFalse();
    assertThat(ledger.findGrant("grt_1").orElseThrow().redeemedAt()).contains(ISSUED.plusSeconds(10));
  }

  @Test
  void redeemGrant_atOrAfterExpiry_false() {
    ledger.insertGrant(grant("grt_1", "tsk_p"));

    assertThat(ledger.redeemGrant("grt_1", EXPIRES)).isFalse();
    assertThat(ledger.findGrant("grt_1").orElseThrow().redeemedAt()).isEmpty();
  }

  @Test
  void redeemGrant_racingRedeemers_exactlyOneWins() throws Exception {
    ledger.insertGrant(grant("grt_race", "tsk_p"));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Boolean>> calls =
          IntStream.range(0, 16).<Callable<Boolean>>mapToObj(i -> () -> ledger.redeemGrant("grt_race", ISSUED)).toList();
      long winners = 0;
      for (Future<Boolean> f : pool.invokeAll(calls)) {
        winners += f.get() ? 1 : 0;
      }
      assertThat(winners).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void pendingGrants_countsOnlyUnredeemedUnexpiredGrantsOfTheParent() {
    ledger.insertGrant(grant("grt_1", "tsk_p"));
    ledger.insertGrant(grant("grt_2", "tsk_p"));
    ledger.insertGrant(grant("grt_3", "tsk_p"));
    ledger.insertGrant(grant("grt_other", "tsk_other"));
    ledger.redeemGrant("grt_1", ISSUED);

    assertThat(ledger.pendingGrants("tsk_p", ISSUED)).isEqualTo(2);
    assertThat(ledger.pendingGrants("tsk_p", EXPIRES)).isZero();
  }

  @Test
  void linkGrantChild_redeemedGrant_recordsChildOnce() {
    ledger.insertGrant(grant("grt_1", "tsk_p"));
    assertThatThrownBy(() -> ledger.linkGrantChild("grt_1", "tsk_c")).isInstanceOf(LedgerException.class);
    ledger.redeemGrant("grt_1", ISSUED);

    ledger.linkGrantChild("grt_1", "tsk_c");

    assertThat(ledger.findGrant("grt_1").orElseThrow().childTaskId()).contains("tsk_c");
    assertThatThrownBy(() -> ledger.linkGrantChild("grt_1", "tsk_d")).isInstanceOf(LedgerException.class);
  }

  private static GrantRecord grant(String grantId, String parent) {
    return new GrantRecord(grantId, parent, "spiffe://corp.example/agents/helper", List.of("db-ro", "kv"),
        List.of("report:q3", "report:q4"), Duration.ofMinutes(7), ISSUED, EXPIRES, Optional.empty(), Optional.empty());
  }
}
