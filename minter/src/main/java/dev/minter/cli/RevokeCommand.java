package dev.minter.cli;

import dev.minter.proto.v1.MinterAdminGrpc;
import dev.minter.proto.v1.RevocationReceipt;
import dev.minter.proto.v1.RevokeTaskRequest;
import dev.minter.proto.v1.TaskSelector;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code minter revoke}: revokes one task ({@code --task}) or every open task matching one selector, on an operator's
 * demand. A bulk revoke asks first (showing how many tasks match) unless {@code --yes} is given.
 */
@Command(
    name = "revoke",
    mixinStandardHelpOptions = true,
    description = {
      "Revoke now: every credential minted for the task(s), then the task token(s).",
      "Give exactly one of --task or a selector; a selector revokes every OPEN task it matches.",
      "Ending a task ends its open child tasks (its delegation subtree) first; the receipt lists them."
    },
    footer = {
      "",
      "Examples:",
      "  minter revoke --task tsk_0123456789abcdef01234567 --reason 'agent misbehaving'",
      "  minter revoke --agent 'spiffe://corp.example/agents/research-*' --dry-run",
      "  minter revoke --source aws.instance_id=i-0abc123 --reason 'instance compromised' --yes",
      "  minter revoke --all --reason 'incident 42' --yes -o json > receipts.jsonl",
      "  minter revoke --subtree tsk_0123456789abcdef01234567 --dry-run",
      "  minter revoke --delegator alice@corp.example --reason 'alice left' --yes",
      "",
      "Connection: --addr/--cert/--key/--ca or MINTER_ADDR, MINTER_CERT, MINTER_KEY, MINTER_CA.",
      "Break-glass, with the server down (an operator Vault token with policy minter-breakglass):",
      "  VAULT_TOKEN=... minter revoke --task tsk_0123... --direct --config /etc/minter/minter.yaml",
      "  minter revoke --agent 'spiffe://corp.example/agents/*' --direct --config minter.yaml --vault-token-file t",
      "",
      "Exit codes: 0 all confirmed gone (or nothing matched, or a dry run); 3 revoked but some revocations are",
      "  queued for retry, or some tasks ended by themselves meanwhile; 1 refused, not confirmed, or unreachable."
    })
public final class RevokeCommand implements Callable<Integer> {
  @Mixin ClientOptions client;

  @ArgGroup(exclusive = true, multiplicity = "1", heading = "What to revoke (exactly one):%n")
  Target target;

  @Mixin BreakGlassRevoke breakGlass;

  @Option(names = "--reason", defaultValue = "", description = "Why (recorded in the audit log).")
  String reason;

  @Option(names = "--yes", description = "Revoke in bulk without asking for confirmation.")
  boolean yes;

  @Option(names = "--dry-run", description = "Only show how many and which open tasks match; revoke nothing.")
  boolean dryRun;

  @Option(names = {"-o", "--output"}, description = "table, json (bulk: JSON lines) or yaml.")
  String output;

  /** The selector families; picocli enforces that exactly one is given. */
  static final class Target {
    @Option(names = "--task", description = "One task id.")
    String taskId;

    @Option(names = "--agent", description = "Agent identity or glob (* within a segment, ** across).")
    String agent;

    @Option(names = "--owner", description = "Every agent registered with this owner (minter agents register --owner).")
    String owner;

    @Option(
        names = "--delegator",
        description = "Every task with this delegator in its chain: a person's subject (alice@corp.example) or an"
            + " agent's identity URI, exactly.")
    String delegator;

    @Option(names = "--purpose", description = "Purpose glob.")
    String purpose;

    @Option(names = "--role", description = "A granted role name.")
    String role;

    @Option(names = "--attestor", description = "Attestor kind, e.g. aws_iid.")
    String attestor;

    @Option(names = "--source", description = "Attestation source: a verified claim key=value.")
    String source;

    @Option(names = "--subtree", description = "A task and every task delegated from it, at any depth.")
    String subtree;

    @Option(names = "--all", description = "Every open task.")
    boolean all;

    TaskSelector selector() {
      TaskSelector.Builder s = TaskSelector.newBuilder();
      if (agent != null) s.setAgent(agent);
      if (owner != null) s.setOwner(owner);
      if (delegator != null) s.setDelegator(delegator);
      if (purpose != null) s.setPurpose(purpose);
      if (role != null) s.setRole(role);
      if (attestor != null) s.setAttestor(attestor);
      if (source != null) s.setSource(source);
      if (subtree != null) s.setSubtree(subtree);
      return s.setAll(all).build();
    }
  }

  @Override
  public Integer call() throws Exception {
    String format = output == null ? "table" : Output.format(output);
    if (breakGlass.direct) {
      if (target.taskId == null && target.agent == null) {
        System.err.println("minter: --direct works with --task or --agent only");
        return 1;
      }
      return breakGlass.run(target.taskId, target.agent, reason, format);
    }
    if (target.taskId == null) {
      return new BulkRevoke(client, target.selector(), reason, format).run(yes, dryRun);
    }
    ManagedChannel channel = client.channel();
    try {
      RevocationReceipt receipt =
          MinterAdminGrpc.newBlockingStub(channel)
              .withDeadlineAfter(60, TimeUnit.SECONDS)
              .revokeTask(RevokeTaskRequest.newBuilder().setTaskId(target.taskId).setReason(reason).build())
              .getReceipt();
      System.out.println("yaml".equals(format) ? Output.message(receipt, format) : Receipts.render(receipt, format));
      return Receipts.confirmed(receipt) ? 0 : 3;
    } catch (StatusRuntimeException e) {
      System.err.println("minter: revoke failed: " + e.getStatus().getCode() + ": " + e.getStatus().getDescription());
      return 1;
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
