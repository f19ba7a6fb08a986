package dev.minter.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import dev.minter.proto.v1.MinterAdminGrpc;
import dev.minter.proto.v1.RevocationReceipt;
import dev.minter.proto.v1.RevokeEvent;
import dev.minter.proto.v1.RevokeProgress;
import dev.minter.proto.v1.RevokeRequest;
import dev.minter.proto.v1.RevokeSummary;
import dev.minter.proto.v1.TaskSelector;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.Console;
import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The bulk side of {@code minter revoke}: confirm (dry run, count, y/N), then stream receipts with a progress line on
 * the terminal. Refuses to revoke in bulk when it cannot ask and was not told {@code --yes}: a script that forgot the
 * flag must not revoke everything by accident.
 */
final class BulkRevoke {
  private static final JsonFormat.Printer LINE = JsonFormat.printer().omittingInsignificantWhitespace();

  private final ClientOptions client;
  private final TaskSelector selector;
  private final String reason;
  private final String format;

  BulkRevoke(ClientOptions client, TaskSelector selector, String reason, String format) {
    this.client = client;
    this.selector = selector;
    this.reason = reason;
    this.format = format;
  }

  int run(boolean yes, boolean dryRun) throws InterruptedException {
    ManagedChannel channel = client.channel();
    try {
      MinterAdminGrpc.MinterAdminBlockingStub stub = MinterAdminGrpc.newBlockingStub(channel);
      if (dryRun) {
        return printDryRun(preview(stub));
      }
      if (!yes) {
        Console console = interactive();
        if (console == null) {
          System.err.println("minter: refusing to revoke in bulk without confirmation and no console to ask on;"
              + " pass --yes (see how many match with --dry-run)");
          return 1;
        }
        RevokeProgress matched = preview(stub);
        if (matched.getMatched() == 0) {
          System.out.println("no open task matches; nothing to revoke");
          return 0;
        }
        String answer = console.readLine("Revoke %d open task(s)? [y/N] ", matched.getMatched());
        if (answer == null || !answer.trim().toLowerCase(Locale.ROOT).matches("y|yes")) {
          System.err.println("minter: not confirmed; nothing revoked");
          return 1;
        }
      }
      return revoke(stub, interactive() != null);
    } catch (StatusRuntimeException e) {
      System.err.println("minter: revoke failed: " + e.getStatus().getCode() + ": " + e.getStatus().getDescription());
      return 1;
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** A dry run: how many open tasks match, and their ids. */
  private RevokeProgress preview(MinterAdminGrpc.MinterAdminBlockingStub stub) {
    RevokeProgress.Builder all = RevokeProgress.newBuilder();
    Iterator<RevokeEvent> events = stub.withDeadlineAfter(5, TimeUnit.MINUTES).revoke(request(true));
    while (events.hasNext()) {
      RevokeEvent event = events.next();
      if (event.hasProgress()) {
        all.setMatched(event.getProgress().getMatched()).addAllTaskIds(event.getProgress().getTaskIdsList());
      }
    }
    return all.build();
  }

  private int printDryRun(RevokeProgress matched) {
    if ("table".equals(format)) {
      System.out.println("would revoke " + matched.getMatched() + " open task(s)");
      matched.getTaskIdsList().forEach(System.out::println);
    } else {
      System.out.println(Output.message(matched, format));
    }
    return 0;
  }

  private int revoke(MinterAdminGrpc.MinterAdminBlockingStub stub, boolean terminal) {
    Iterator<RevokeEvent> events = stub.withDeadlineAfter(1, TimeUnit.HOURS).revoke(request(false));
    long matched = 0;
    long done = 0;
    RevokeSummary summary = null;
    while (events.hasNext()) {
      RevokeEvent event = events.next();
      switch (event.getEventCase()) {
        case PROGRESS -> {
          matched = event.getProgress().getMatched();
          done = Math.max(done, event.getProgress().getDone());
        }
        case RECEIPT -> {
          done += Receipts.tasks(event.getReceipt());
          clearLine(terminal);
          System.out.println(receipt(event.getReceipt()));
        }
        case SUMMARY -> summary = event.getSummary();
        case EVENT_NOT_SET -> {}
      }
      if (terminal) {
        System.err.print("\rrevoked " + done + "/" + matched);
        System.err.flush();
      }
    }
    clearLine(terminal);
    if (summary == null) {
      System.err.println("minter: the server ended the stream without a summary; check `minter tasks ls`");
      return 1;
    }
    System.out.println(summary(summary));
    return summary.getQueued() > 0 || summary.getFailed() > 0 ? 3 : 0;
  }

  private RevokeRequest request(boolean dryRun) {
    return RevokeRequest.newBuilder().setSelector(selector).setReason(reason).setDryRun(dryRun).build();
  }

  private String receipt(RevocationReceipt r) {
    return switch (format) {
      case "json" -> line(r);
      case "yaml" -> "---\n" + Output.message(r, "yaml");
      default -> String.format("%s  %s  %d credential(s)  token %s%s", r.getTaskId(),
          Receipts.confirmed(r) ? "confirmed" : "QUEUED", r.getCredentialsCount(), Receipts.status(r.getToken()),
          r.getChildrenCount() == 0 ? "" : "  + " + (Receipts.tasks(r) - 1) + " child task(s) ended first");
    };
  }

  private String summary(RevokeSummary s) {
    return switch (format) {
      case "json" -> line(s);
      case "yaml" -> "---\n" + Output.message(s, "yaml");
      default -> String.format("matched %d, revoked %d, queued %d, failed %d",
          s.getMatched(), s.getRevoked(), s.getQueued(), s.getFailed());
    };
  }

  private static String line(MessageOrBuilder message) {
    try {
      return LINE.alwaysPrintFieldsWithNoPresence().print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The console if there is a person at a terminal to ask, else null. On JDK 22-24 {@code System.console()} may return
   * a console for redirected streams; {@code Console.isTerminal()} (JDK 22+) tells them apart.
   */
  private static Console interactive() {
    Console console = System.console();
    if (console == null) {
      return null;
    }
    try {
      Object terminal = Console.class.getMethod("isTerminal").invoke(console);
      return Boolean.TRUE.equals(terminal) ? console : null;
    } catch (ReflectiveOperationException e) {
      return console; // JDK 21: a non-null console is a terminal
    }
  }

  private static void clearLine(boolean terminal) {
    if (terminal) {
      System.err.print("\r\033[K");
    }
  }
}
