package dev.minter.cli;

import dev.minter.audit.AuditLog;
import dev.minter.audit.AuditWriteException;
import dev.minter.audit.JsonlAuditLog;
import dev.minter.config.ConfigLoader;
import dev.minter.config.MinterConfig;
import dev.minter.ledger.SqliteLedger;
import dev.minter.ledger.TokenCipher;
import dev.minter.task.BreakGlass;
import dev.minter.task.Receipt;
import dev.minter.task.TaskException;
import dev.minter.tls.TrustStores;
import dev.minter.vault.Secret;
import dev.minter.vault.VaultGateway;
import dev.minter.vault.VaultGatewayConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Option;

/**
 * The break-glass half of {@code minter revoke}: {@code --direct} revokes from the ledger with an operator's Vault
 * token while the server is down, through {@link BreakGlass}.
 */
public final class BreakGlassRevoke {
  @Option(
      names = "--direct",
      description = "Break-glass: the server is down; revoke from its ledger with an operator Vault token.")
  boolean direct;

  @Option(names = "--config", description = "With --direct: the server's config (minter.yaml): ledger, audit, Vault.")
  Path config;

  @Option(
      names = "--vault-token-file",
      description = "With --direct: file holding the operator's Vault token (else env VAULT_TOKEN or BAO_TOKEN).")
  Path vaultTokenFile;

  @Option(
      names = "--by",
      defaultValue = "break-glass:${sys:user.name}",
      description = "With --direct: who revokes, for the audit record (default ${DEFAULT-VALUE}).")
  String by;

  /** Runs the break-glass revocation; prints receipts and returns the exit code (0, 3, or 1 refused). */
  int run(String taskId, String agent, String reason, String output) {
    if (config == null) {
      System.err.println("minter: --direct needs --config (the server's minter.yaml)");
      return 1;
    }
    if ((taskId == null) == (agent == null)) {
      System.err.println("minter: --direct needs exactly one of --task or --agent");
      return 1;
    }
    Optional<Secret> token = operatorToken();
    if (token.isEmpty()) {
      System.err.println("minter: --direct needs an operator Vault token: --vault-token-file, VAULT_TOKEN or BAO_TOKEN");
      return 1;
    }
    MinterConfig cfg = ConfigLoader.load(config);
    Clock clock = Clock.systemUTC();
    AuditLog audit;
    try {
      audit = JsonlAuditLog.open(cfg.audit().file(), clock);
    } catch (AuditWriteException e) {
      System.err.println(
          "minter: refusing break-glass revocation: the audit log is locked, so the Minter server is probably still "
              + "running. Revoke through it instead (minter revoke --task ID without --direct). Detail: "
              + e.getMessage());
      return 1;
    }
    try (audit;
        SqliteLedger ledger =
            SqliteLedger.open(cfg.ledger().sqlite(), TokenCipher.loadOrCreate(cfg.ledger().keyFile()), clock);
        VaultGateway vault = new VaultGateway(gatewayConfig(cfg.vault(), token.get()::reveal), clock)) {
      BreakGlass glass = new BreakGlass(vault, ledger, audit, clock);
      String why = reason.isEmpty() ? "break-glass" : reason;
      List<Receipt> receipts =
          taskId != null ? List.of(glass.revokeTask(taskId, by, why)) : glass.revokeAgent(agent, by, why);
      if (receipts.isEmpty()) {
        System.out.println("no open tasks of agents matching " + agent);
      }
      boolean confirmed = true;
      for (Receipt r : receipts) {
        var proto = dev.minter.api.ReceiptProtos.toProto(r);
        System.out.println(Receipts.render(proto, output));
        confirmed &= Receipts.confirmed(proto);
      }
      return confirmed ? 0 : 3;
    } catch (TaskException e) {
      System.err.println("minter: break-glass revoke refused: " + e.getMessage());
      return 1;
    } catch (Exception e) {
      System.err.println("minter: break-glass revoke failed: " + e.getMessage());
      return 1;
    }
  }

  private Optional<Secret> operatorToken() {
    try {
      if (vaultTokenFile != null) {
        return Optional.of(Secret.of(Files.readString(vaultTokenFile).strip()));
      }
    } catch (java.io.IOException e) {
      System.err.println("minter: cannot read --vault-token-file " + vaultTokenFile + ": " + e.getMessage());
      return Optional.empty();
    }
    String env = System.getenv("VAULT_TOKEN");
    env = env == null || env.isBlank() ? System.getenv("BAO_TOKEN") : env;
    return env == null || env.isBlank() ? Optional.empty() : Optional.of(Secret.of(env.strip()));
  }

  private static VaultGatewayConfig gatewayConfig(MinterConfig.Vault v, Supplier<String> token) throws Exception {
    Optional<SSLContext> tls = v.caFile() == null ? Optional.empty() : Optional.of(TrustStores.trusting(v.caFile()));
    return new VaultGatewayConfig(URI.create(v.address()), () -> Secret.of(token.get()), v.tokenRole(), v.timeout(), tls);
  }
}
