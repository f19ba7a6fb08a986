package dev.minter.cli;

import dev.minter.proto.v1.DelegationLink;
import dev.minter.proto.v1.GetTaskRequest;
import dev.minter.proto.v1.ListTasksRequest;
import dev.minter.proto.v1.ListTasksResponse;
import dev.minter.proto.v1.MinterAdminGrpc;
import dev.minter.proto.v1.TaskInfo;
import dev.minter.proto.v1.TaskSelector;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code minter tasks show ID} (or {@code get}): one task and every credential minted for it, its parent and child
 * tasks, and its delegation chain.
 */
@Command(
    name = "show",
    aliases = "get",
    mixinStandardHelpOptions = true,
    description = {
      "Show one task: who began it, what it was granted, and each credential minted for it.",
      "For delegated tasks: its parent, its child tasks, and the delegation chain (who delegated, through which tasks)."
    },
    footer = {
      "",
      "Example:",
      "  minter tasks show tsk_0123456789abcdef01234567 -o yaml",
      "  minter tasks get tsk_0123456789abcdef01234567   (parent, children, chain: alice@corp \u2192 planner (task t1) \u2192 ...)",
      "",
      "Exit codes: 0 shown; 1 no such task, or the server refused or could not be reached."
    })
public final class TasksShowCommand implements Callable<Integer> {
  private static final int PAGE = 1000;
  private static final int MAX_PAGES = 10;

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
      MinterAdminGrpc.MinterAdminBlockingStub admin = MinterAdminGrpc.newBlockingStub(channel);
      TaskInfo task =
          admin.withDeadlineAfter(60, TimeUnit.SECONDS).getTask(GetTaskRequest.newBuilder().setTaskId(taskId).build());
      System.out.println("table".equals(format) ? table(task, children(admin, taskId)) : Output.message(task, format));
      return 0;
    } catch (StatusRuntimeException e) {
      System.err.println("minter: tasks show failed: " + e.getStatus().getCode() + ": " + e.getStatus().getDescription());
      return 1;
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /**
   * The task's direct children, from its subtree (the admin API has no children call: the subtree selector is it).
   * Empty when there are none; null when the server could not say.
   */
  private static List<TaskInfo> children(MinterAdminGrpc.MinterAdminBlockingStub admin, String taskId) {
    List<TaskInfo> children = new ArrayList<>();
    String page = "";
    try {
      for (int pages = 0; pages < MAX_PAGES; pages++) {
        ListTasksResponse response = admin.withDeadlineAfter(60, TimeUnit.SECONDS).listTasks(ListTasksRequest.newBuilder()
            .setSelector(TaskSelector.newBuilder().setSubtree(taskId)).setLimit(PAGE).setPageToken(page).build());
        response.getTasksList().stream().filter(t -> t.getParentTaskId().equals(taskId)).forEach(children::add);
        page = response.getNextPageToken();
        if (page.isEmpty()) {
          break;
        }
      }
      return children;
    } catch (StatusRuntimeException e) {
      return null;
    }
  }

  static String table(TaskInfo t, List<TaskInfo> children) {
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
    line(sb, "parent", t.getParentTaskId().isEmpty() ? "none (top-level task)" : t.getParentTaskId());
    line(sb, "children", children == null ? "unknown (the server did not list them)" : children.isEmpty() ? "none"
        : String.join(", ", children.stream().map(c -> c.getTaskId() + " (" + TaskRows.state(c.getState()) + ")").toList()));
    line(sb, "chain", t.getChainCount() <= 1 ? "none (not delegated)" : chain(t.getChainList()));
    sb.append('\n').append(Output.rows(t.getLeasesList().stream().map(TaskRows::lease).toList(), "table"));
    return sb.toString();
  }

  /** {@code alice@corp → spiffe://corp/planner (task t1) → spiffe://corp/helper (task t2)}. */
  static String chain(List<DelegationLink> links) {
    return String.join(" \u2192 ", links.stream()
        .map(l -> l.getTaskId().isEmpty() ? l.getSubject() : l.getSubject() + " (task " + l.getTaskId() + ")")
        .toList());
  }

  private static void line(StringBuilder sb, String name, String value) {
    sb.append(String.format("%-9s %s%n", name, value));
  }
}
