package dev.minter.task;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * What Minter confirmed gone when a task ended, and with it every open task of its delegation subtree.
 *
 * @param taskId the task
 * @param reason why it ended: {@code complete}, {@code revoke} or {@code expire}
 * @param credentials one entry per credential minted for the task
 * @param token the task token itself
 * @param revokedAt when
 * @param revokedBy who ended it (the agent, an operator, or {@code minter} for expiry)
 * @param children the receipts of the child tasks ended with this one (ended first, each with its own children)
 */
public record Receipt(
    String taskId,
    String reason,
    List<Item> credentials,
    RevocationStatus token,
    Instant revokedAt,
    String revokedBy,
    List<Receipt> children) {
  public Receipt {
    requireNonNull(taskId, "taskId");
    requireNonNull(reason, "reason");
    credentials = List.copyOf(requireNonNull(credentials, "credentials"));
    requireNonNull(token, "token");
    requireNonNull(revokedAt, "revokedAt");
    requireNonNull(revokedBy, "revokedBy");
    children = List.copyOf(requireNonNull(children, "children"));
  }

  /** A receipt of a task that ended with no open child. */
  public Receipt(
      String taskId, String reason, List<Item> credentials, RevocationStatus token, Instant revokedAt, String revokedBy) {
    this(taskId, reason, credentials, token, revokedAt, revokedBy, List.of());
  }

  /** Whether everything is confirmed gone (nothing left queued), in this task and every child listed. */
  public boolean confirmed() {
    return all().stream().allMatch(Receipt::confirmedHere);
  }

  /** Whether this task's own token and credentials are confirmed gone (its children aside). */
  public boolean confirmedHere() {
    return token != RevocationStatus.FAILED_QUEUED
        && credentials.stream().allMatch(c -> c.status() != RevocationStatus.FAILED_QUEUED);
  }

  /** This receipt and every descendant's, parents before their children (iterative: nesting depth is not trusted). */
  public List<Receipt> all() {
    List<Receipt> out = new ArrayList<>();
    Deque<Receipt> todo = new ArrayDeque<>();
    todo.push(this);
    while (!todo.isEmpty()) {
      Receipt r = todo.pop();
      out.add(r);
      for (int i = r.children.size() - 1; i >= 0; i--) {
        todo.push(r.children.get(i));
      }
    }
    return out;
  }

  /** One credential's fate. {@code detail} explains anything but {@link RevocationStatus#REVOKED}. */
  public record Item(String leaseId, String role, String kind, RevocationStatus status, String detail) {
    public Item {
      requireNonNull(leaseId, "leaseId");
      requireNonNull(role, "role");
      requireNonNull(kind, "kind");
      requireNonNull(status, "status");
      requireNonNull(detail, "detail");
    }
  }
}
