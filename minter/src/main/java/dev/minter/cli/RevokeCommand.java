package dev.minter.cli;

import dev.minter.proto.v1.MinterAdminGrpc;
import dev.minter.proto.v1.RevocationReceipt;
import dev.minter.proto.v1.RevokeTaskRequest;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code minter revoke --task ID}: revokes a task's credentials and token on an operator's demand. */
@Command(
    name = "revoke",
    mixinStandardHelpOptions = true,
    description = "Revoke a task now: every credential minted for it, then its Vault token.",
    footer = {
      "",
      "Example:",
      "  minter revoke --task tsk_0123456789abcdef01234567 --reason 'agent misbehaving' \\",
      "      --cert admin.pem --key admin.key --ca ca.pem",
      "",
      "Break-glass, with the server down (an operator Vault token with policy minter-breakglass):",
      "  VAULT_TOKEN=... minter revoke --task tsk_0123... --direct --config /etc/minter/minter.yaml",
      "  minter revoke --agent 'spiffe://corp.example/agents/*' --direct --config minter.yaml --vault-token-file t",
      "",
      "Exit codes: 0 all confirmed gone; 3 revoked but some revocations are queued for retry;",
      "  1 the server refused or could not be reached."
    })
public final class RevokeCommand implements Callable<Integer> {
  @Mixin ClientOptions client;

  @Option(names = "--task", description = "The task id to revoke.")
  String taskId;

  @Option(names = "--reason", defaultValue = "", description = "Why (recorded in the audit log).")
  String reason;

  @Option(names = {"-o", "--output"}, defaultValue = "table", description = "table or json.")
  String output;

  @Mixin BreakGlassRevoke breakGlass;

  @Override
  public Integer call() throws Exception {
    if (breakGlass.direct) {
      return breakGlass.run(taskId, reason, output);
    }
    ManagedChannel channel = client.channel();
    try {
      RevocationReceipt receipt =
          MinterAdminGrpc.newBlockingStub(channel)
              .withDeadlineAfter(60, TimeUnit.SECONDS)
              .revokeTask(RevokeTaskRequest.newBuilder().setTaskId(taskId).setReason(reason).build())
              .getReceipt();
      System.out.println(Receipts.render(receipt, output));
      return Receipts.confirmed(receipt) ? 0 : 3;
    } catch (StatusRuntimeException e) {
      System.err.println("minter: revoke failed: " + e.getStatus().getCode() + ": " + e.getStatus().getDescription());
      return 1;
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
