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

  /** A dynamic RabbitMQ user. The username is not secret (it is audited); the password is. */
  record RabbitMq(String username, Secret password) implements Credential {
    public RabbitMq {
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

  /**
   * An X.509 certificate. {@code privateKey} is empty when the agent sent a CSR (the key never left the agent).
   *
   * @param caChain the issuing chain, PEM each
   */
  record Certificate(
      String certificatePem, List<String> caChain, java.util.Optional<Secret> privateKey, String serialNumber)
      implements Credential {
    public Certificate {
      requireNonNull(certificatePem, "certificatePem");
      caChain = List.copyOf(requireNonNull(caChain, "caChain"));
      requireNonNull(privateKey, "privateKey");
      requireNonNull(serialNumber, "serialNumber");
    }
  }

  /** A signed SSH certificate for the agent's public key (not secret: the private key stays with the agent). */
  record SshCertificate(String signedKey, String serialNumber, List<String> principals) implements Credential {
    public SshCertificate {
      requireNonNull(signedKey, "signedKey");
      requireNonNull(serialNumber, "serialNumber");
      principals = List.copyOf(requireNonNull(principals, "principals"));
    }
  }

  /** Whatever a generic Vault path returned; every value is treated as secret. */
  record Generic(java.util.Map<String, Secret> data) implements Credential {
    public Generic {
      data = java.util.Map.copyOf(requireNonNull(data, "data"));
    }
  }
}
