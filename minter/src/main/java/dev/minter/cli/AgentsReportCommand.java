package dev.minter.cli;

import com.google.protobuf.Duration;
import dev.minter.policy.Durations;
import dev.minter.proto.v1.AgentReportRequest;
import dev.minter.proto.v1.AgentReportResponse;
import dev.minter.proto.v1.OverGrant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code minter agents report}: agents nobody owns, and roles granted but not used. */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = {
      "Report agents without an owner, and over-granted agents: roles the policy grants them",
      "that they have not used within --unused-for."
    },
    footer = {
      "",
      "Examples:",
      "  minter agents report",
      "  minter agents report --unused-for 168h -o json",
      "",
      "Exit codes: 0 reported (findings or not); 1 the server refused or could not be reached; 2 bad usage."
    })
public final class AgentsReportCommand implements Callable<Integer> {
  @Mixin ClientOptions client;

  @Option(names = "--unused-for", defaultValue = "720h",
      description = "Over-grant window, e.g. 720h (30 days, the default), 168h or P7D.")
  String unusedFor;

  @Option(names = {"-o", "--output"}, description = "table, json or yaml.")
  String output;

  @Override
  public Integer call() throws Exception {
    return AgentCalls.run(client, "agents report", admin -> {
      String format = Output.format(output);
      java.time.Duration window =
          Durations.parse(unusedFor)
              .filter(d -> !d.isNegative() && !d.isZero())
              .orElseThrow(() -> new IllegalArgumentException("--unused-for " + unusedFor + " (expected e.g. 720h or P30D)"));
      AgentReportResponse report =
          admin.agentReport(
              AgentReportRequest.newBuilder()
                  .setUnusedFor(Duration.newBuilder().setSeconds(window.toSeconds()))
                  .build());
      System.out.println("table".equals(format) ? table(report) : Output.message(report, format));
      return 0;
    });
  }

  private static String table(AgentReportResponse report) {
    List<Map<String, Object>> overGranted =
        report.getOverGrantedList().stream().map(AgentsReportCommand::row).toList();
    return "Agents without an owner:\n"
        + Output.rows(report.getWithoutOwnerList().stream().map(AgentCalls::row).toList(), "table")
        + "\n\nOver-granted (granted, not used):\n"
        + Output.rows(overGranted, "table");
  }

  private static Map<String, Object> row(OverGrant g) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("identity", g.getIdentity());
    row.put("unused", g.getUnusedList());
    row.put("used", g.getUsedList());
    row.put("granted", g.getGrantedList());
    return row;
  }
}
