package dev.minter.cli;

import dev.minter.proto.v1.GetTaskRequest;
import dev.minter.proto.v1.MinterAdminGrpc;
import dev.minter.proto.v1.TaskInfo;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code minter tasks show ID}: one task and every credential minted for it. */
@Command(
    name = "show",
    mixinStandardHelpOptions = true,
    description = "Show one task: who began it, what it was granted, and each credential minted for it.",
    footer = {
      "",
      "Example:",
      "  minter tasks show tsk_0123456789abcdef01234567 -o yaml",
      "",
      "Exit codes: 0 shown; 1 no such task, or the server refused or could not be reached."
    })
public final class TasksShowCommand implements Callable<Integer> {
  @Mixin ClientOptions client;

  @Parameters(index = "0", paramLabel = "TASK_ID", description = "The task id.")
  String taskId;

  @Option(names = {"-o", "--output"}, description = "table, json or yaml (default: table on a terminal, else json).")
  String output;

  @Override
  public Integer call() throws Exception {
    String format = Output.format(output);
    ManagedChannel channel = client.channel();
    try {
      TaskInfo task =
          MinterAdminGrpc.newBlockingStub(channel)
              .withDeadlineAfter(60, TimeUnit.SECONDS)
              .getTask(GetTaskRequest.newBuilder().setTaskId(taskId).build());
      System.out.println("table".equals(format) ? table(task) : Output.message(task, format));
      return 0;
    } catch (StatusRuntimeException e) {
      System.err.println("minter: tasks show failed: " + e.getStatus().getCode() + ": " + e.getStatus().getDescription());
      return 1;
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static String table(TaskInfo t) {
    StringBuilder sb = new StringBuilder();
    line(sb, "task", t.getTaskId());
    line(sb, "state", TaskRows.state(t.getState()));
    line(sb, "agent", t.getAgent() + " (" + t.getAttestor() + ")");
    line(sb, "purpose", t.getPurpose());
    line(sb, "roles", String.join(",", t.getRolesList()) + " (rule " + t.getRule() + ")");
    line(sb, "labels", t.getLabelsMap().toString());
    line(sb, "accessor", t.getTokenAccessor());
    line(sb, "created", TaskRows.instant(t.getCreatedAt()));
    line(sb, "expires", TaskRows.instant(t.getExpiresAt()));
    sb.append('\n').append(Output.rows(t.getLeasesList().stream().map(TaskRows::lease).toList(), "table"));
    return sb.toString();
  }

  private static void line(StringBuilder sb, String name, String value) {
    sb.append(String.format("%-9s %s%n", name, value));
  }
}
