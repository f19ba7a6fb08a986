package dev.minter.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.minter.proto.v1.CredentialRevocation;
import dev.minter.proto.v1.RevocationReceipt;
import dev.minter.proto.v1.RevocationStatus;
import java.time.Instant;

/** Renders revocation receipts for people (table) and programs (json). */
final class Receipts {
  private Receipts() {}

  static boolean confirmed(RevocationReceipt r) {
    return r.getToken() != RevocationStatus.FAILED_QUEUED
        && r.getCredentialsList().stream().noneMatch(c -> c.getStatus() == RevocationStatus.FAILED_QUEUED);
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
    sb.append("task        ").append(r.getTaskId()).append('\n');
    sb.append("ended       ").append(r.getReason()).append(" by ").append(r.getRevokedBy()).append(" at ")
        .append(Instant.ofEpochSecond(r.getRevokedAt().getSeconds())).append('\n');
    sb.append("task token  ").append(status(r.getToken())).append('\n');
    if (r.getCredentialsCount() == 0) {
      sb.append("credentials none minted\n");
    }
    for (CredentialRevocation c : r.getCredentialsList()) {
      sb.append(String.format("credential  %-13s %-12s %-14s %s%n", c.getRole(), c.getKind(), status(c.getStatus()), c.getLeaseId()));
      if (!c.getDetail().isEmpty()) {
        sb.append("            ").append(c.getDetail()).append('\n');
      }
    }
    return sb.toString().stripTrailing();
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
