package dev.minter.ledger;

import dev.minter.vault.LeaseType;
import dev.minter.vault.Secret;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** Tasks, leases and tokens for ledger tests; tokens are random per run, never checked in. */
final class LedgerFixtures {
  static final Instant T0 = Instant.parse("2026-11-30T12:00:00.123Z");
  private static final SecureRandom RANDOM = new SecureRandom();

  private LedgerFixtures() {}

  /** Looks like a Vault service token, and is long and random enough to be unmistakable in a byte scan. */
  static Secret randomToken() {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    return Secret.of("hvs.TEST" + HexFormat.of().formatHex(bytes));
  }

  static TaskRecord task(String taskId, Instant expiresAt) {
    return task(taskId, randomToken(), expiresAt);
  }

  static TaskRecord task(String taskId, Secret token, Instant expiresAt) {
    return new TaskRecord(
        taskId,
        "spiffe://corp.example/agents/research-bot",
        "x509-svid",
        "summarise Q3 tickets",
        List.of("tickets-readonly", "warehouse-ro"),
        "research-bots-read",
        Map.of("ticket", "OPS-42", "team", "research"),
        token,
        "accessor-" + taskId,
        T0,
        expiresAt,
        TaskState.OPEN);
  }

  static LeaseRecord lease(String leaseId, String taskId, Instant issuedAt) {
    return new LeaseRecord(
        leaseId, taskId, "tickets-readonly", "database", LeaseType.LEASE, issuedAt, issuedAt.plusSeconds(600), false);
  }
}
