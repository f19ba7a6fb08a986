package dev.minter.ledger;

import static dev.minter.ledger.LedgerFixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minter.attest.TofuPins.Outcome;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The ledger as the durable trust-on-first-use store: pins and first-use records survive a restart. */
class SqliteLedgerTofuTest {
  private static final String KIND = "aws_iid";
  private static final String INSTANCE = "123456789012/i-0abc1234def567890";

  @org.junit.jupiter.api.io.TempDir Path dir;
  private Path dbFile;
  private TokenCipher cipher;
  private SqliteLedger ledger;

  @BeforeEach
  void open() {
    dbFile = dir.resolve("ledger.db");
    cipher = TokenCipher.loadOrCreate(dir.resolve("ledger.key"));
    ledger = reopen();
  }

  @AfterEach
  void close() {
    ledger.close();
  }

  @Test
  void pin_sequenceOfDocuments_movesForwardOnlyAndRefusesTheRest() {
    assertThat(ledger.pin(KIND, INSTANCE, 1000, "doc-a")).isEqualTo(Outcome.FIRST);
    assertThat(ledger.pin(KIND, INSTANCE, 1000, "doc-a")).isEqualTo(Outcome.SAME);
    assertThat(ledger.pin(KIND, INSTANCE, 1000, "doc-x")).isEqualTo(Outcome.CONFLICT);
    assertThat(ledger.pin(KIND, INSTANCE, 2000, "doc-b")).isEqualTo(Outcome.ADVANCED);
    assertThat(ledger.pin(KIND, INSTANCE, 1000, "doc-a")).isEqualTo(Outcome.STALE);
    assertThat(ledger.pin(KIND, INSTANCE, 2000, "doc-b")).isEqualTo(Outcome.SAME);
  }

  @Test
  void pin_otherKindOrSubject_isIndependent() {
    ledger.pin(KIND, INSTANCE, 2000, "doc-b");

    assertThat(ledger.pin("other_kind", INSTANCE, 1000, "doc-a")).isEqualTo(Outcome.FIRST);
    assertThat(ledger.pin(KIND, "123456789012/i-0fff", 1000, "doc-a")).isEqualTo(Outcome.FIRST);
  }

  @Test
  void pin_afterRestart_stillRefusesAnEarlierLaunch() {
    ledger.pin(KIND, INSTANCE, 1000, "doc-a");
    ledger.pin(KIND, INSTANCE, 2000, "doc-b");
    ledger.close();

    ledger = reopen();

    assertThat(ledger.pin(KIND, INSTANCE, 1000, "doc-a")).isEqualTo(Outcome.STALE);
    assertThat(ledger.pin(KIND, INSTANCE, 2000, "doc-b")).isEqualTo(Outcome.SAME);
  }

  @Test
  void open_ledgerFromSchemaVersion1_addsTheTofuTable() throws Exception {
    ledger.close();
    try (Connection raw = DriverManager.getConnection("jdbc:sqlite:" + dbFile);
        Statement statement = raw.createStatement()) {
      // Every step after 1 is undone, so this is a version-1 ledger whatever later steps exist.
      statement.execute("DROP TABLE delegation_grants");
      statement.execute("DROP INDEX tasks_parent_task_id");
      statement.execute("ALTER TABLE tasks DROP COLUMN parent_task_id");
      statement.execute("ALTER TABLE tasks DROP COLUMN delegation");
      statement.execute("DROP TABLE tofu");
      statement.execute("DROP TABLE agents");
      statement.execute("DROP INDEX tasks_agent_state");
      statement.execute("DROP INDEX tasks_created_at");
      statement.execute("ALTER TABLE tasks DROP COLUMN claims");
      statement.execute("DELETE FROM schema_version WHERE version >= 2");
    }

    ledger = reopen();

    assertThat(ledger.pin(KIND, INSTANCE, 1000, "doc-a")).isEqualTo(Outcome.FIRST);
    try (Connection raw = DriverManager.getConnection("jdbc:sqlite:" + dbFile);
        Statement statement = raw.createStatement();
        ResultSet version = statement.executeQuery("SELECT MAX(version) FROM schema_version")) {
      version.next();
      assertThat(version.getInt(1)).isEqualTo(LedgerSchema.CURRENT);
    }
  }

  private SqliteLedger reopen() {
    return SqliteLedger.open(dbFile, cipher, Clock.fixed(T0, ZoneOffset.UTC));
  }
}
