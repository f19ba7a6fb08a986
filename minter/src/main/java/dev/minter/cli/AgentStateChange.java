package dev.minter.cli;

import dev.minter.proto.v1.AgentState;
import dev.minter.proto.v1.RevocationReceipt;
import dev.minter.proto.v1.SetAgentStateRequest;
import dev.minter.proto.v1.SetAgentStateResponse;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** What suspend, retire and reinstate share: one SetAgentState call, the agent and any receipts printed. */
abstract class AgentStateChange implements Callable<Integer> {
  @Mixin ClientOptions client;

  @Parameters(index = "0", paramLabel = "IDENTITY", description = "The agent's identity URI.")
  String identity;

  @Option(names = "--reason", defaultValue = "", description = "Why (recorded in the audit log).")
  String reason;

  @Option(names = {"-o", "--output"}, description = "table, json or yaml.")
  String output;

  abstract AgentState target();

  abstract String name();

  /** Whether to go ahead (retire asks first); returning false exits 1 without calling the server. */
  boolean confirmed() {
    return true;
  }

  @Override
  public Integer call() throws Exception {
    if (!confirmed()) {
      return 1;
    }
    return AgentCalls.run(client, "agents " + name(), admin -> {
      String format = Output.format(output);
      SetAgentStateResponse response =
          admin.setAgentState(
              SetAgentStateRequest.newBuilder().setIdentity(identity).setState(target()).setReason(reason).build());
      if (!"table".equals(format)) {
        System.out.println(Output.message(response, format));
      } else {
        StringBuilder sb = new StringBuilder(AgentCalls.details(response.getAgent()));
        for (RevocationReceipt receipt : response.getReceiptsList()) {
          sb.append("\n\n").append(Receipts.render(receipt, "table"));
        }
        System.out.println(sb);
      }
      // 3: retired, but some revocations are queued for retry (as for minter revoke).
      return response.getReceiptsList().stream().allMatch(Receipts::confirmed) ? 0 : 3;
    });
  }
}
