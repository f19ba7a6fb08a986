package dev.minter.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.minter.proto.v1.CredentialRevocation;
import dev.minter.proto.v1.RevocationReceipt;
import dev.minter.proto.v1.RevocationStatus;
import java.time.Instant;

/**
 * Renders revocation receipts for people (table) and programs (json). A receipt carries the receipts of the child
 * tasks ended with it (its delegation subtree); the table shows each indented under its parent.
 */
final class Receipts {
  private Receipts() {}

  /** Whether everything is confirmed gone, in this task and every child task ended with it. */
  static boolean confirmed(RevocationReceipt r) {
    return r.getToken() != RevocationStatus.FAILED_QUEUED
        && r.getCredentialsList().stream().noneMatch(c -> c.getStatus() == RevocationStatus.FAILED_QUEUED)
        && r.getChildrenList().stream().allMatch(Receipts::confirmed);
  }

  /** How many tasks the receipt speaks for: the task and every descendant. */
  static int tasks(RevocationReceipt r) {
    return 1 + r.getChildrenList().stream().mapToInt(Receipts::tasks).sum();
  }

  static String render(RevocationReceipt r, String output) {
    if ("json".equals(output)) {
      try {
        return JsonFormat.printer().print(r);
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException(e);
      }
    }
    StringBuilder sb = new StringBuilder();
    table(sb, r, "");
    return sb.toString().stripTrailing();
  }

  /** One receipt at {@code indent}, then its children two spaces further in (the server bounds the nesting). */
  private static void table(StringBuilder sb, RevocationReceipt r, String indent) {
    sb.append(indent).append("task        ").append(r.getTaskId()).append('\n');
    sb.append(indent).append("ended       ").append(r.getReason()).append(" by ").append(r.getRevokedBy()).append(" at ")
        .append(Instant.ofEpochSecond(r.getRevokedAt().getSeconds())).append('\n');
    sb.append(indent).append("task token  ").append(status(r.getToken())).append('\n');
    if (r.getCredentialsCount() == 0) {
      sb.append(indent).append("credentials none minted\n");
    }
    for (CredentialRevocation c : r.getCredentialsList()) {
      sb.append(indent).append(String.format(
          "credential  %-13s %-12s %-14s %s%n", c.getRole(), c.getKind(), status(c.getStatus()), c.getLeaseId()));
      if (!c.getDetail().isEmpty()) {
        sb.append(indent).append("            ").append(c.getDetail()).append('\n');
      }
    }
    if (r.getChildrenCount() > 0) {
      sb.append(indent).append("child tasks ").append(r.getChildrenCount()).append(" ended first (delegated from ")
          .append(r.getTaskId()).append(")\n");
      for (RevocationReceipt child : r.getChildrenList()) {
        table(sb, child, indent + "  ");
      }
    }
  }

  static String status(RevocationStatus s) {
    return switch (s) {
      case REVOKED -> "revoked";
      case ALREADY_GONE -> "already gone";
      case FAILED_QUEUED -> "QUEUED (retrying)";
      case EXPIRES_ONLY -> "expires only";
      default -> s.name().toLowerCase();
    };
  }
}
