package dev.minter.vault;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The one way Minter talks to Vault/OpenBao (vault-java-driver behind one shared keep-alive HttpClient).
 * Skeleton: being built. Methods that act as Minter use Minter's own (narrow) token; methods that take a task
 * token act as the task.
 */
public final class VaultGateway implements AutoCloseable {

  public static VaultGateway create(dev.minter.config.MinterConfig.Vault config, java.time.Clock clock) {
    return new VaultGateway();
  }

  public Duration renewSelf() {
    throw new UnsupportedOperationException("not built yet");
  }

  /** Creates a task's orphan service token from Minter's token role; TTL and explicit max TTL = {@code ttl}. */
  public TaskToken createTaskToken(List<String> policies, Duration ttl, Map<String, String> metadata) {
    throw new UnsupportedOperationException("not built yet");
  }

  /** Reads a dynamic secret with the task token (so the lease belongs to the task). */
  public LeasedSecret read(Secret taskToken, String path) {
    throw new UnsupportedOperationException("not built yet");
  }

  /** Creates a child token of {@code parentToken} with {@code policies}. */
  public Credential.VaultToken createChildToken(
      Secret parentToken, List<String> policies, Duration ttl, Map<String, String> metadata) {
    throw new UnsupportedOperationException("not built yet");
  }

  /** Revokes a lease with {@code sync=true} (as Minter). */
  public RevocationOutcome revokeLease(String leaseId) {
    throw new UnsupportedOperationException("not built yet");
  }

  /** Revokes a token and its children by accessor (as Minter). */
  public RevocationOutcome revokeAccessor(String accessor) {
    throw new UnsupportedOperationException("not built yet");
  }

  @Override
  public void close() {}
}
