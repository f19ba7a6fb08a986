package dev.minter.cli;

import com.google.protobuf.Duration;
import dev.minter.proto.v1.BeginTaskRequest;
import dev.minter.proto.v1.BeginTaskResponse;
import dev.minter.client.MinterChannels;
import dev.minter.proto.v1.CompleteTaskRequest;
import dev.minter.proto.v1.DelegateRequest;
import dev.minter.proto.v1.DelegateResponse;
import dev.minter.proto.v1.MintCredentialRequest;
import dev.minter.proto.v1.MintCredentialResponse;
import dev.minter.proto.v1.MinterGrpc;
import dev.minter.proto.v1.RevocationReceipt;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code minter demo}: plays an agent against a running Minter, end to end, and says what happens at each step.
 * Exits 0 only if every step held, including that the credentials are refused after the task completes.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = "Run a demo agent: begin a task, mint PostgreSQL credentials, use them, (delegate to a sub-agent), "
        + "complete, check they are dead.",
    footer = {
      "",
      "Example (what deploy/local/up.sh runs):",
      "  minter demo --cert certs/demo-agent.pem --key certs/demo-agent.key --ca certs/ca.pem \\",
      "      --pg-url jdbc:postgresql://127.0.0.1:55432/analytics --audit-file deploy/local/.state/audit.jsonl \\",
      "      --sub-agent spiffe://minter.local/agents/report-helper \\",
      "      --sub-agent-cert certs/report-helper.pem --sub-agent-key certs/report-helper.key"
    })
public final class DemoCommand implements Callable<Integer> {
  @Mixin ClientOptions client;

  @Option(names = "--role", defaultValue = "analytics-ro", description = "Database role to mint (default ${DEFAULT-VALUE}).")
  String role;

  @Option(names = "--purpose", defaultValue = "demo:weekly-report", description = "Declared purpose (default ${DEFAULT-VALUE}).")
  String purpose;

  @Option(names = "--ttl-seconds", defaultValue = "300", description = "Requested task TTL (default ${DEFAULT-VALUE}).")
  long ttlSeconds;

  @Option(names = "--pg-url", required = true, description = "JDBC URL of the database the role grants access to.")
  String pgUrl;

  @Option(names = "--query", defaultValue = "SELECT count(*) FROM reports", description = "Query to run (default: ${DEFAULT-VALUE}).")
  String query;

  @Option(names = "--audit-file", description = "Audit log to verify at the end.")
  Path auditFile;

  @Option(names = "--sub-agent", description = "Also delegate the role to this sub-agent identity (needs its SVID).")
  String subAgent;

  @Option(names = "--sub-agent-cert", description = "The sub-agent's X.509-SVID certificate, PEM.")
  Path subAgentCert;

  @Option(names = "--sub-agent-key", description = "The sub-agent's private key, PEM/PKCS#8.")
  Path subAgentKey;

  private int step;
  private int steps;

  @Override
  public Integer call() throws Exception {
    boolean delegating = subAgent != null;
    if (delegating && (subAgentCert == null || subAgentKey == null)) {
      throw new IllegalArgumentException("--sub-agent needs --sub-agent-cert and --sub-agent-key");
    }
    steps = delegating ? 9 : 6;
    ManagedChannel channel = client.channel();
    ManagedChannel subChannel = delegating ? MinterChannels.mtls(client.addr, subAgentCert, subAgentKey, client.ca) : null;
    try {
      MinterGrpc.MinterBlockingStub minter = MinterGrpc.newBlockingStub(channel);
      say("BeginTask purpose=" + purpose + " roles=[" + role + "] ttl=" + ttlSeconds + "s");
      BeginTaskResponse task =
          minter
              .withDeadlineAfter(30, TimeUnit.SECONDS)
              .beginTask(
                  BeginTaskRequest.newBuilder()
                      .setPurpose(purpose)
                      .addRoles(role)
                      .setTtl(Duration.newBuilder().setSeconds(ttlSeconds))
                      .putLabels("source", "minter-demo")
                      .build());
      ok("task " + task.getTaskId() + " (rule " + task.getRule() + ", ttl " + task.getTtl().getSeconds() + "s)");

      say("MintCredential role=" + role);
      MintCredentialResponse cred =
          minter
              .withDeadlineAfter(30, TimeUnit.SECONDS)
              .mintCredential(MintCredentialRequest.newBuilder().setTaskId(task.getTaskId()).setRole(role).build());
      String user = cred.getDatabase().getUsername();
      String password = cred.getDatabase().getPassword();
      ok("PostgreSQL user " + user + " (lease " + cred.getLeaseId() + ")");

      say("Connect to PostgreSQL as " + user + " and run: " + query);
      ok(runQuery(user, password));

      String childUser = null;
      String childPassword = null;
      if (delegating) {
        say("Delegate role " + role + " of task " + task.getTaskId() + " to sub-agent " + subAgent);
        DelegateResponse grant =
            minter
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .delegate(DelegateRequest.newBuilder().setTaskId(task.getTaskId()).setSubAgent(subAgent).addRoles(role)
                    .build());
        ok("single-use grant " + grant.getGrantId() + " (max ttl " + grant.getMaxTtl().getSeconds() + "s, redeem by "
            + TaskRows.instant(grant.getExpiresAt()) + ")");

        say("Sub-agent " + subAgent + " opens a child task with the grant and mints " + role);
        MinterGrpc.MinterBlockingStub sub = MinterGrpc.newBlockingStub(subChannel);
        BeginTaskResponse child =
            sub.withDeadlineAfter(30, TimeUnit.SECONDS)
                .beginTask(BeginTaskRequest.newBuilder().setPurpose(purpose).addRoles(role)
                    .setDelegationGrant(grant.getGrant()).putLabels("source", "minter-demo").build());
        MintCredentialResponse childCred =
            sub.withDeadlineAfter(30, TimeUnit.SECONDS)
                .mintCredential(MintCredentialRequest.newBuilder().setTaskId(child.getTaskId()).setRole(role).build());
        childUser = childCred.getDatabase().getUsername();
        childPassword = childCred.getDatabase().getPassword();
        ok("child task " + child.getTaskId() + " (parent " + child.getParentTaskId() + "), chain "
            + TasksShowCommand.chain(child.getChainList()) + "; PostgreSQL user " + childUser + ": "
            + runQuery(childUser, childPassword));
      }

      say("CompleteTask " + task.getTaskId());
      RevocationReceipt receipt =
          minter
              .withDeadlineAfter(60, TimeUnit.SECONDS)
              .completeTask(CompleteTaskRequest.newBuilder().setTaskId(task.getTaskId()).build())
              .getReceipt();
      if (!Receipts.confirmed(receipt)) {
        return fail("revocation not confirmed:\n" + Receipts.render(receipt, "table"));
      }
      ok("receipt:\n" + Receipts.render(receipt, "table").indent(8).stripTrailing());

      say("Connect again with the same credentials (must be refused)");
      try {
        runQuery(user, password);
        return fail("the credentials still work after CompleteTask");
      } catch (SQLException e) {
        ok("refused: " + e.getMessage());
      }
      if (delegating) {
        say("The sub-agent connects again with its credentials (must be refused: its task died with the parent)");
        try {
          runQuery(childUser, childPassword);
          return fail("the sub-agent's credentials still work after the parent task completed");
        } catch (SQLException e) {
          ok("refused: " + e.getMessage());
        }
      }

      say("Verify the audit log" + (auditFile == null ? " (skipped: no --audit-file)" : " " + auditFile));
      if (auditFile != null) {
        int code = AuditVerifyCommand.verify(auditFile, System.out);
        if (code != 0) {
          return fail("audit log verification failed");
        }
      }
      System.out.println("demo: every step held");
      return 0;
    } catch (io.grpc.StatusRuntimeException e) {
      return fail(e.getStatus().getCode() + ": " + e.getStatus().getDescription());
    } catch (SQLException e) {
      return fail("database: " + e.getMessage());
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      if (subChannel != null) {
        subChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  private String runQuery(String user, String password) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", user);
    props.setProperty("password", password);
    props.setProperty("connectTimeout", "10");
    try (Connection c = DriverManager.getConnection(pgUrl, props);
        ResultSet rs = c.createStatement().executeQuery(query)) {
      rs.next();
      return "query returned " + rs.getString(1);
    }
  }

  private void say(String what) {
    System.out.println("==> [" + (++step) + "/" + steps + "] " + what);
  }

  private static void ok(String what) {
    System.out.println("    ok: " + what);
  }

  private int fail(String why) {
    System.out.println("    FAILED at step " + step + ": " + why);
    return 1;
  }
}
