package dev.minter.vault;

import dev.minter.policy.RoleSpec;
import java.time.Duration;

/** Mints one kind of credential with a task's token. One file per kind, one line in {@link CredentialEngines}. */
public interface CredentialEngine {

  /** The kind this engine mints; the {@code kind} of roles in the policy file. */
  String kind();

  /**
   * Mints a credential for {@code role} <em>with the task token</em>, so Vault ties its lease to the task.
   *
   * @param maxTtl the most the credential may live (the task's remaining time)
   * @throws VaultUnavailableException when Vault cannot be reached
   * @throws VaultRequestException when Vault refuses the request
   */
  MintedCredential mint(VaultGateway vault, TaskToken taskToken, RoleSpec role, Duration maxTtl);

  /**
   * Mints with the agent's request parameters (e.g. {@code csr} for pki, {@code public_key} for ssh). Engines that
   * take none ignore them; an engine that needs them overrides this and refuses unknown names.
   */
  default MintedCredential mint(
      VaultGateway vault, TaskToken taskToken, RoleSpec role, Duration maxTtl, java.util.Map<String, String> parameters) {
    return mint(vault, taskToken, role, maxTtl);
  }
}
