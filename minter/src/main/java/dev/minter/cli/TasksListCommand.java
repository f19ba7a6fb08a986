package dev.minter.cli;

import dev.minter.proto.v1.ListTasksRequest;
import dev.minter.proto.v1.ListTasksResponse;
import dev.minter.proto.v1.MinterAdminGrpc;
import dev.minter.proto.v1.TaskSelector;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code minter tasks ls}: tasks matching a filter, oldest first, one page at a time. */
@Command(
    name = "ls",
    aliases = "list",
    mixinStandardHelpOptions = true,
    description = "List tasks. Filters combine (all must match); without any, every task is listed.",
    footer = {
      "",
      "Examples:",
      "  minter tasks ls --state open",
      "  minter tasks ls --agent 'spiffe://corp.example/agents/*' --purpose 'report:*' -o json",
      "  minter tasks ls --attestor aws_iid --source aws.instance_id=i-0abc123",
      "  minter tasks ls --subtree tsk_0123456789abcdef01234567 --state open",
      "  minter tasks ls --delegator alice@corp.example",
      "",
      "Exit codes: 0 listed (possibly none); 1 the server refused or could not be reached."
    })
public final class TasksListCommand implements Callable<Integer> {
  @Mixin ClientOptions client;

  @Option(names = "--agent", description = "Agent identity or glob (* within a segment, ** across).")
  String agent;

  @Option(names = "--purpose", description = "Purpose glob.")
  String purpose;

  @Option(names = "--role", description = "A role granted to the task.")
  String role;

  @Option(names = "--attestor", description = "Attestor kind, e.g. x509_svid, aws_iid.")
  String attestor;

  @Option(names = "--source", description = "Attestation source: a verified claim key=value.")
  String source;

  @Option(names = "--subtree", description = "A task and every task delegated from it, at any depth.")
  String subtree;

  @Option(
      names = "--delegator",
      description = "A delegator in the task's chain: a person's subject or an agent's identity URI, exactly.")
  String delegator;

  @Option(names = "--state", description = "open, completed, revoked or expired.")
  String state;

  @Option(names = "--limit", defaultValue = "100", description = "At most this many (default ${DEFAULT-VALUE}).")
  int limit;

  @Option(names = "--page-token", description = "Continue after a previous page (printed when there is more).")
  String pageToken;

  @Option(names = {"-o", "--output"}, description = "table, json or yaml (default: table on a terminal, else json).")
  String output;

  @Override
  public Integer call() throws Exception {
    String format = Output.format(output);
    TaskSelector.Builder selector = TaskSelector.newBuilder();
    if (agent != null) selector.setAgent(agent);
    if (purpose != null) selector.setPurpose(purpose);
    if (role != null) selector.setRole(role);
    if (attestor != null) selector.setAttestor(attestor);
    if (source != null) selector.setSource(source);
    if (subtree != null) selector.setSubtree(subtree);
    if (delegator != null) selector.setDelegator(delegator);
    if (state != null) selector.setState(TaskRows.parseState(state));
    ListTasksRequest.Builder request = ListTasksRequest.newBuilder().setSelector(selector).setLimit(limit);
    if (pageToken != null) request.setPageToken(pageToken);
    ManagedChannel channel = client.channel();
    try {
      ListTasksResponse response =
          MinterAdminGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS).listTasks(request.build());
      if ("table".equals(format)) {
        System.out.println(Output.rows(response.getTasksList().stream().map(TaskRows::task).toList(), format));
        if (!response.getNextPageToken().isEmpty()) {
          System.err.println("more: --page-token " + response.getNextPageToken());
        }
      } else {
        System.out.println(Output.message(response, format));
      }
      return 0;
    } catch (StatusRuntimeException e) {
      System.err.println("minter: tasks ls failed: " + e.getStatus().getCode() + ": " + e.getStatus().getDescription());
      return 1;
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
