package dev.minter.vault;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** A minted credential, typed per kind. Secret fields are {@link Secret}s. */
public sealed interface Credential {

  /** A dynamic database user. The username is not secret (it is audited); the password is. */
  record Database(String username, Secret password) implements Credential {
    public Database {
      requireNonNull(username, "username");
      requireNonNull(password, "password");
    }
  }

  /** A Vault token that is a child of the task token. */
  record VaultToken(Secret token, String accessor, List<String> policies) implements Credential {
    public VaultToken {
      requireNonNull(token, "token");
      requireNonNull(accessor, "accessor");
      policies = List.copyOf(requireNonNull(policies, "policies"));
    }
  }
}
