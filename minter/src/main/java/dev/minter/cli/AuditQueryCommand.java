package dev.minter.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Timestamp;
import dev.minter.policy.Durations;
import dev.minter.proto.v1.AuditRecord;
import dev.minter.proto.v1.MinterAdminGrpc;
import dev.minter.proto.v1.QueryAuditRequest;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code minter audit query}: the server's audit records that match a filter, over the admin API. */
@Command(
    name = "query",
    mixinStandardHelpOptions = true,
    description = {
      "Show audit records from the server's log that match every filter given (the most recent --limit of them).",
      "Read over the admin API; the records are not verified here: run `minter audit verify` for that."
    },
    footer = {
      "",
      "Examples:",
      "  minter audit query --event credential.mint --since 1h",
      "  minter audit query --identity 'spiffe://corp.example/agents/*' --task tsk_0123... -o json",
      "  minter audit query --since 2026-11-30T00:00:00Z --until 2026-11-30T06:00:00Z --limit 50",
      "",
      "Exit codes: 0 ok; 1 the server refused or could not be reached; 2 usage."
    })
public final class AuditQueryCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Mixin ClientOptions client;
  @Mixin Filters filters;

  @Option(names = {"-o", "--output"}, description = "table, json or yaml (default: table on a terminal, else json).")
  String output;

  /** The filter flags, shared with {@code minter audit tail}. */
  public static final class Filters {
    @Option(names = "--event", description = "Event type, e.g. credential.mint, task.revoke, policy.deny.")
    String event;

    @Option(names = "--identity", description = "Identity glob (* within a segment, ** across).")
    String identity;

    @Option(names = "--task", description = "Task id.")
    String task;

    @Option(names = "--since", description = "Records at or after: a duration ago (30m, 1h, 7d) or an ISO instant.")
    String since;

    @Option(names = "--until", description = "Records before: a duration ago or an ISO instant.")
    String until;

    @Option(names = "--limit", defaultValue = "1000", description = "At most this many (the most recent; default ${DEFAULT-VALUE}).")
    int limit;

    QueryAuditRequest request(boolean follow, Clock clock) {
      QueryAuditRequest.Builder b = QueryAuditRequest.newBuilder().setLimit(limit).setFollow(follow);
      if (event != null) b.setEvent(event);
      if (identity != null) b.setIdentity(identity);
      if (task != null) b.setTaskId(task);
      if (since != null) b.setSince(timestamp("--since", since, clock));
      if (until != null) b.setUntil(timestamp("--until", until, clock));
      return b.build();
    }
  }

  @Override
  public Integer call() throws Exception {
    String format = Output.format(output);
    QueryAuditRequest request = filters.request(false, Clock.systemUTC());
    ManagedChannel channel = client.channel();
    try {
      List<Map<String, Object>> rows = new ArrayList<>();
      Iterator<AuditRecord> records =
          MinterAdminGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS).queryAudit(request);
      while (records.hasNext()) {
        AuditRecord r = records.next();
        rows.add("table".equals(format) ? row(r) : fields(r));
      }
      System.out.println(Output.rows(rows, format));
      return 0;
    } catch (StatusRuntimeException e) {
      System.err.println("minter: audit query failed: " + e.getStatus().getCode() + ": " + e.getStatus().getDescription());
      return 1;
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** The record's fields in their written order. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> fields(AuditRecord record) {
    try {
      return JSON.readValue(record.getJson(), LinkedHashMap.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("server sent a record that is not JSON (seq " + record.getSeq() + ")", e);
    }
  }

  /** The columns an operator scans first; everything else is in {@code -o json}. */
  static Map<String, Object> row(AuditRecord record) {
    Map<String, Object> f = fields(record);
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("seq", record.getSeq());
    for (String c : List.of("time", "event", "identity", "task", "decision", "outcome", "reason")) {
      row.put(c, f.get(c));
    }
    return row;
  }

  /** {@code 1h}, {@code 30m}, {@code 7d} ago, or an ISO-8601 instant. */
  static Timestamp timestamp(String flag, String text, Clock clock) {
    Instant at;
    if (text.matches("\\d{1,5}d")) {
      at = clock.instant().minus(Duration.ofDays(Long.parseLong(text.substring(0, text.length() - 1))));
    } else {
      Optional<Duration> ago = text.isEmpty() ? Optional.empty() : Durations.parse(text);
      if (ago.isPresent()) {
        at = clock.instant().minus(ago.get());
      } else {
        try {
          at = Instant.parse(text);
        } catch (DateTimeParseException e) {
          throw new IllegalArgumentException(flag + ": '" + text + "' (expected: a duration like 1h or 7d, or an ISO instant)");
        }
      }
    }
    return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()).build();
  }
}
