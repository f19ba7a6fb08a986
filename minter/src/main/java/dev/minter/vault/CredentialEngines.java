package dev.minter.vault;

import java.util.Map;
import java.util.Optional;

/** The credential engines Minter knows, by kind. (Placeholder until the vault branch lands.) */
public final class CredentialEngines {
  private final Map<String, CredentialEngine> byKind;

  private CredentialEngines(Map<String, CredentialEngine> byKind) {
    this.byKind = Map.copyOf(byKind);
  }

  public static CredentialEngines builtIn() {
    return new CredentialEngines(Map.of());
  }

  public Optional<CredentialEngine> find(String kind) {
    return Optional.ofNullable(byKind.get(kind));
  }
}
