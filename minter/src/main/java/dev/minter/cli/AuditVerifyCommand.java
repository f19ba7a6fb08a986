package dev.minter.cli;

import dev.minter.audit.AuditVerification;
import dev.minter.audit.AuditVerifier;
import dev.minter.proto.v1.MinterAdminGrpc;
import dev.minter.proto.v1.VerifyAuditRequest;
import dev.minter.proto.v1.VerifyAuditResponse;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code minter audit verify --file F}: proves the audit log's hash chain intact, or names the first bad record. */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Verify the audit log's hash chain: every record's seq, prev and hash.",
      "Detects any edit, deletion, reordering or insertion, and a cut in the middle. A chain alone cannot show that",
      "records were cut off its end: keep the printed head (seq and hash) elsewhere and pass it as --expect-head.",
      "With --file it reads the file here (offline); without, it asks the server to verify its own log."
    },
    footer = {
      "",
      "Example:",
      "  minter audit verify --file deploy/local/.state/audit.jsonl",
      "  minter audit verify --addr minter.internal:8443 --cert admin.pem --key admin.key --ca ca.pem",
      "",
      "Exit codes: 0 intact; 2 broken (the first bad record is named); 1 the file cannot be read."
    })
public final class AuditVerifyCommand implements Callable<Integer> {
  @Option(names = "--file", description = "The audit log (JSON Lines), read here. Without it: ask the server.")
  Path file;

  @Mixin ClientOptions client;

  @Option(
      names = "--expect-head",
      description = "SEQ:HASH of a head you kept earlier; the log must still contain it.")
  String expectHead;

  @Override
  public Integer call() throws Exception {
    if (file == null) {
      if (expectHead != null) {
        System.err.println("minter: --expect-head needs --file (the server verifies its chain without an anchor)");
        return 1;
      }
      return verifyOnServer(client, System.out);
    }
    AuditVerifier.Anchor anchor = null;
    if (expectHead != null) {
      String[] parts = expectHead.split(":", 2);
      if (parts.length != 2) {
        System.err.println("minter: --expect-head: '" + expectHead + "' (expected: SEQ:HASH)");
        return 1;
      }
      anchor = new AuditVerifier.Anchor(Long.parseLong(parts[0]), parts[1]);
    }
    return verify(file, anchor, System.out);
  }

  /** Asks the server to verify its own log; same output and exit codes as the offline mode. */
  static int verifyOnServer(ClientOptions client, PrintStream out) throws InterruptedException {
    ManagedChannel channel = client.channel();
    try {
      VerifyAuditResponse r =
          MinterAdminGrpc.newBlockingStub(channel)
              .withDeadlineAfter(5, TimeUnit.MINUTES)
              .verifyAudit(VerifyAuditRequest.getDefaultInstance());
      if (r.getIntact()) {
        out.println("server audit log: intact, " + r.getCount() + " records, head " + r.getCount() + ":" + r.getHeadHash());
        return 0;
      }
      out.println("server audit log: BROKEN at " + r.getProblem());
      return 2;
    } catch (StatusRuntimeException e) {
      System.err.println("minter: audit verify failed: " + e.getStatus().getCode() + ": " + e.getStatus().getDescription());
      return 1;
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** Verifies {@code file}, prints the outcome and returns the exit code. */
  static int verify(Path file, PrintStream out) {
    return verify(file, null, out);
  }

  private static int verify(Path file, AuditVerifier.Anchor anchor, PrintStream out) {
    if (!Files.isReadable(file)) {
      out.println("audit log " + file + ": cannot be read");
      return 1;
    }
    AuditVerification result;
    try {
      result = anchor == null ? AuditVerifier.verify(file) : AuditVerifier.verify(file, anchor);
    } catch (IOException e) {
      out.println("audit log " + file + ": " + e.getMessage());
      return 1;
    }
    return switch (result) {
      case AuditVerification.Intact intact -> {
        out.println(
            "audit log " + file + ": intact, " + intact.count() + " records, head " + intact.count() + ":"
                + intact.headHash());
        yield 0;
      }
      case AuditVerification.Broken broken -> {
        out.println("audit log " + file + ": BROKEN at line " + broken.line() + ": " + broken.reason());
        yield 2;
      }
    };
  }
}
