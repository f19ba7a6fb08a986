package dev.minter.ledger;

import static dev.minter.ledger.LedgerFixtures.T0;
import static dev.minter.ledger.LedgerFixtures.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minter.vault.Secret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an attacker holding the database files (but not the key) sees and can do. */
class SqliteLedgerAtRestTest {
  @TempDir Path dir;
  private Path dbFile;
  private TokenCipher cipher;
  private SqliteLedger ledger;

  @BeforeEach
  void open() {
    dbFile = dir.resolve("ledger.db");
    cipher = TokenCipher.loadOrCreate(dir.resolve("keys/ledger.key"));
    ledger = SqliteLedger.open(dbFile, cipher, Clock.fixed(T0, ZoneOffset.UTC));
  }

  @AfterEach
  void close() {
    ledger.close();
  }

  @Test
  void insertTask_tokens_neverAppearInDatabaseOrWalFiles() throws Exception {
    List<Secret> tokens = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      TaskRecord task = task("task-" + i, T0.plusSeconds(900));
      tokens.add(task.token());
      ledger.insertTask(task);
    }

    // While open the rows sit in the -wal file; after close SQLite checkpoints them into the main file.
    assertTokensAbsentButRowsPresent(tokens, "ledger.db-wal");
    ledger.close();
    assertTokensAbsentButRowsPresent(tokens, "ledger.db");
  }

  @Test
  void findTask_ciphertextTampered_throwsWithoutToken() throws Exception {
    TaskRecord task = task("task-1", T0.plusSeconds(900));
    ledger.insertTask(task);
    byte[] sealed = ciphertextOf("task-1");
    sealed[sealed.length / 2] ^= 0x01;
    writeCiphertext("task-1", sealed);

    assertThatThrownBy(() -> ledger.findTask("task-1"))
        .isInstanceOf(LedgerException.class)
        .hasMessageContaining("task-1")
        .hasMessageContaining("tampered")
        .hasMessageNotContaining(task.token().reveal());
  }

  @Test
  void findTask_ciphertextMovedFromAnotherTask_throws() throws Exception {
    ledger.insertTask(task("victim", T0.plusSeconds(900)));
    ledger.insertTask(task("attacker", T0.plusSeconds(900)));
    writeCiphertext("attacker", ciphertextOf("victim"));

    assertThatThrownBy(() -> ledger.findTask("attacker"))
        .isInstanceOf(LedgerException.class)
        .hasMessageContaining("attacker");
    assertThatThrownBy(() -> ledger.openTasksExpiredAt(T0.plusSeconds(900)))
        .isInstanceOf(LedgerException.class);
  }

  @Test
  void findTask_ledgerReopenedWithWrongKey_throwsWithoutToken() {
    TaskRecord task = task("task-1", T0.plusSeconds(900));
    ledger.insertTask(task);
    ledger.close();

    TokenCipher wrongKey = TokenCipher.loadOrCreate(dir.resolve("keys/other.key"));
    ledger = SqliteLedger.open(dbFile, wrongKey, Clock.fixed(T0, ZoneOffset.UTC));

    assertThatThrownBy(() -> ledger.findTask("task-1"))
        .isInstanceOf(LedgerException.class)
        .hasMessageContaining("wrong ledger key")
        .hasMessageNotContaining(task.token().reveal())
        .satisfies(e -> assertThat(String.valueOf(e.getCause())).doesNotContain(task.token().reveal()));
  }

  @Test
  void open_newDatabase_createsFilesForOwnerOnly() throws Exception {
    ledger.insertTask(task("task-1", T0.plusSeconds(900)));

    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
            .as(file.getFileName().toString())
            .isEqualTo("rw-------");
      }
    }
  }

  private void assertTokensAbsentButRowsPresent(List<Secret> tokens, String mustHoldRows) throws Exception {
    String rowFile = new String(Files.readAllBytes(dir.resolve(mustHoldRows)), StandardCharsets.ISO_8859_1);
    assertThat(rowFile).as("the scan must see the rows").contains("accessor-task-39");
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.getFileName().toString().startsWith("ledger.db")).toList()) {
        String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        for (Secret token : tokens) {
          assertThat(bytes.contains(token.reveal())).as("a token in %s", file.getFileName()).isFalse();
        }
      }
    }
  }

  private byte[] ciphertextOf(String taskId) throws Exception {
    try (Connection raw = DriverManager.getConnection("jdbc:sqlite:" + dbFile);
        PreparedStatement select = raw.prepareStatement("SELECT token_ciphertext FROM tasks WHERE task_id = ?")) {
      select.setString(1, taskId);
      try (ResultSet row = select.executeQuery()) {
        assertThat(row.next()).isTrue();
        return row.getBytes(1);
      }
    }
  }

  private void writeCiphertext(String taskId, byte[] sealed) throws Exception {
    try (Connection raw = DriverManager.getConnection("jdbc:sqlite:" + dbFile);
        PreparedStatement update = raw.prepareStatement("UPDATE tasks SET token_ciphertext = ? WHERE task_id = ?")) {
      update.setBytes(1, sealed);
      update.setString(2, taskId);
      assertThat(update.executeUpdate()).isEqualTo(1);
    }
  }
}
