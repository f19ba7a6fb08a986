package dev.minter.cli;

import dev.minter.proto.v1.AgentInfo;
import dev.minter.proto.v1.MinterAdminGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** What the {@code minter agents} commands share: one admin call with exit codes, and an agent as a table row. */
final class AgentCalls {
  private AgentCalls() {}

  /** An admin call that prints its result; returns the exit code. */
  @FunctionalInterface
  interface Call {
    int run(MinterAdminGrpc.MinterAdminBlockingStub admin);
  }

  /** Runs {@code call}: 1 if the server refuses or cannot be reached, 2 for a bad option value. */
  static int run(ClientOptions client, String what, Call call) throws InterruptedException {
    ManagedChannel channel;
    try {
      channel = client.channel();
    } catch (RuntimeException e) {
      System.err.println("minter: " + what + ": " + e.getMessage());
      return 1;
    }
    try {
      return call.run(MinterAdminGrpc.newBlockingStub(channel).withDeadlineAfter(120, TimeUnit.SECONDS));
    } catch (StatusRuntimeException e) {
      System.err.println("minter: " + what + " failed: " + e.getStatus().getCode() + ": " + e.getStatus().getDescription());
      return 1;
    } catch (IllegalArgumentException e) {
      System.err.println("minter: " + what + ": " + e.getMessage());
      return 2;
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  static Map<String, Object> row(AgentInfo a) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("identity", a.getIdentity());
    row.put("owner", a.getOwner().isEmpty() ? null : a.getOwner());
    row.put("state", state(a));
    row.put("last_seen", a.hasLastSeen() ? Instant.ofEpochSecond(a.getLastSeen().getSeconds()).toString() : null);
    row.put("live_tasks", a.getLiveTasks());
    row.put("roles_used", a.getRolesUsedList());
    return row;
  }

  /** One agent, one field per line. */
  static String details(AgentInfo a) {
    StringBuilder sb = new StringBuilder();
    line(sb, "identity", a.getIdentity());
    line(sb, "owner", a.getOwner().isEmpty() ? "(none)" : a.getOwner());
    line(sb, "description", a.getDescription());
    line(sb, "state", state(a));
    line(sb, "first seen", a.hasFirstSeen() ? Instant.ofEpochSecond(a.getFirstSeen().getSeconds()).toString() : "never");
    line(sb, "last seen", a.hasLastSeen() ? Instant.ofEpochSecond(a.getLastSeen().getSeconds()).toString() : "never");
    line(sb, "attestors", String.join(", ", a.getAttestorsList()));
    line(sb, "live tasks", String.valueOf(a.getLiveTasks()));
    line(sb, "roles granted", String.join(", ", a.getRolesGrantedList()));
    line(sb, "roles used", String.join(", ", a.getRolesUsedList()));
    line(sb, "purposes", String.join(", ", a.getPurposesList()));
    line(sb, "delegators", String.join(", ", a.getDelegatorsList()));
    line(sb, "data sources", String.join(", ", a.getDataSourcesList()));
    return sb.toString().stripTrailing();
  }

  static String state(AgentInfo a) {
    return a.getState().name().replace("AGENT_STATE_", "").toLowerCase();
  }

  private static void line(StringBuilder sb, String key, String value) {
    sb.append(String.format("%-14s %s%n", key, value.isEmpty() ? "-" : value));
  }
}
