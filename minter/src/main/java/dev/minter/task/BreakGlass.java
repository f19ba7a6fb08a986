package dev.minter.task;

import static java.util.Objects.requireNonNull;

import dev.minter.audit.AuditEvent;
import dev.minter.audit.AuditLog;
import dev.minter.ledger.Ledger;
import dev.minter.ledger.TaskRecord;
import dev.minter.ledger.TaskState;
import dev.minter.policy.Glob;
import dev.minter.vault.VaultGateway;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Revokes tasks while the Minter server is down ({@code minter revoke --direct}): straight from the ledger, with an
 * operator's Vault token, through the same {@link TaskRevoker} the server uses — same lease-then-token order, same
 * ledger marks and outbox, same {@code task.revoke} audit records, each marked {@code "via": "break-glass"}.
 *
 * <p>The caller must have opened the audit log itself: its exclusive file lock is what proves the server is not
 * running (two writers would fork the hash chain), so this class never runs beside a live server.
 */
public final class BreakGlass {
  /** The audit field that tells a break-glass record from the server's own. */
  public static final String VIA = "via";

  private final Ledger ledger;
  private final TaskRevoker revoker;

  /**
   * @param vault a gateway whose token supplier yields the operator's token (with the minter-breakglass policy)
   * @param audit the server's audit log, opened (and locked) by the caller
   */
  public BreakGlass(VaultGateway vault, Ledger ledger, AuditLog audit, Clock clock) {
    this.ledger = requireNonNull(ledger, "ledger");
    this.revoker = new TaskRevoker(vault, ledger, new ViaBreakGlass(audit), clock);
  }

  /** Revokes the open task {@code taskId}; {@code by} names the operator in the audit record. */
  public Receipt revokeTask(String taskId, String by, String why) {
    TaskRecord task =
        ledger.findTask(taskId).orElseThrow(() -> new TaskException(TaskException.Kind.NOT_FOUND, "task " + taskId + " not found"));
    if (task.state() != TaskState.OPEN) {
      throw new TaskException(TaskException.Kind.NOT_OPEN, "task " + taskId + " is already " + task.state());
    }
    return revoker.end(task, TaskState.REVOKED, by, why);
  }

  /** Revokes every open task of an agent whose identity matches {@code agentGlob}. */
  public List<Receipt> revokeAgent(String agentGlob, String by, String why) {
    Glob glob = Glob.compile(agentGlob);
    List<Receipt> receipts = new ArrayList<>();
    // The ledger lists open tasks by expiry; the end of time selects every open one (expired-but-unswept included:
    // their tokens may be gone, but their leases are what break-glass must make sure of).
    for (TaskRecord task : ledger.openTasksExpiredAt(Instant.ofEpochMilli(Long.MAX_VALUE))) {
      if (glob.matches(task.agent())) {
        try {
          receipts.add(revoker.end(task, TaskState.REVOKED, by, why));
        } catch (TaskException e) {
          // Listed open, but already ended with an earlier task's subtree (its parent's receipt lists it).
          if (e.kind() != TaskException.Kind.NOT_OPEN) {
            throw e;
          }
        }
      }
    }
    return receipts;
  }

  /** Marks every record as written by the break-glass path; otherwise passes it through unchanged. */
  private record ViaBreakGlass(AuditLog log) implements AuditLog {
    @Override
    public long append(AuditEvent event) {
      AuditEvent.Builder b = AuditEvent.of(event.event());
      for (Map.Entry<String, Object> f : event.fields().entrySet()) {
        if (f.getValue() instanceof Long n && "ttl_seconds".equals(f.getKey())) {
          b.ttlSeconds(n); // the only numeric field the builder offers; every other value is a string
        } else if (f.getValue() instanceof List<?> list) {
          b.putList(f.getKey(), list); // a delegated task's chain stays a list, as the server writes it
        } else {
          b.put(f.getKey(), String.valueOf(f.getValue()));
        }
      }
      return log.append(b.put(VIA, "break-glass").build());
    }

    @Override
    public void close() {
      log.close();
    }
  }
}
