package dev.minter.cli;

import dev.minter.proto.v1.AuditRecord;
import dev.minter.proto.v1.MinterAdminGrpc;
import dev.minter.proto.v1.QueryAuditRequest;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.time.Clock;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code minter audit tail [-f]}: the latest audit records, and with {@code -f} every new one as it is written. */
@Command(
    name = "tail",
    mixinStandardHelpOptions = true,
    description = "Print the latest audit records (default 10); with -f keep printing new ones until interrupted.",
    footer = {
      "",
      "Examples:",
      "  minter audit tail -f",
      "  minter audit tail -f --event policy.deny -o json     # one JSON record per line",
      "",
      "Exit codes: 0 ok; 1 the server refused or could not be reached; 2 usage."
    })
public final class AuditTailCommand implements Callable<Integer> {
  @Mixin ClientOptions client;
  @Mixin AuditQueryCommand.Filters filters;

  @Option(names = {"-f", "--follow"}, description = "Keep streaming records as they are appended.")
  boolean follow;

  @Option(names = {"-o", "--output"}, defaultValue = "table", description = "table (one line per record) or json (JSON Lines).")
  String output;

  @Override
  public Integer call() throws Exception {
    if (filters.limit == 1000) {
      filters.limit = 10; // tail's default window, like tail(1)
    }
    QueryAuditRequest request = filters.request(follow, Clock.systemUTC());
    ManagedChannel channel = client.channel();
    try {
      return stream(channel, request); // with -f it ends when the user interrupts the process
    } catch (StatusRuntimeException e) {
      System.err.println("minter: audit tail failed: " + e.getStatus().getCode() + ": " + e.getStatus().getDescription());
      return 1;
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private int stream(ManagedChannel channel, QueryAuditRequest request) {
    Iterator<AuditRecord> records = MinterAdminGrpc.newBlockingStub(channel).queryAudit(request);
    while (records.hasNext()) {
      AuditRecord r = records.next();
      System.out.println("json".equals(output) ? r.getJson() : line(AuditQueryCommand.row(r)));
      System.out.flush();
    }
    return 0;
  }

  private static String line(Map<String, Object> row) {
    StringBuilder sb = new StringBuilder();
    row.forEach((k, v) -> {
      if (v != null) {
        sb.append(sb.isEmpty() ? "" : "  ").append("seq".equals(k) || "time".equals(k) || "event".equals(k) ? "" : k + "=").append(v);
      }
    });
    return sb.toString();
  }
}
