package dev.minter.vault;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** The credential engines by kind. A new kind is one engine file plus one line in {@link #builtIn(Clock)}. */
public final class CredentialEngines {
  private final Map<String, CredentialEngine> byKind;

  public CredentialEngines(List<CredentialEngine> engines) {
    Map<String, CredentialEngine> map = new LinkedHashMap<>();
    for (CredentialEngine engine : requireNonNull(engines, "engines")) {
      if (map.putIfAbsent(engine.kind(), engine) != null) {
        throw new IllegalArgumentException("credential kind '" + engine.kind() + "' registered twice");
      }
    }
    this.byKind = Map.copyOf(map);
  }

  /** Every engine Minter ships. */
  public static CredentialEngines builtIn(Clock clock) {
    return new CredentialEngines(
        List.of(
            new DatabaseEngine(clock), //
            new VaultTokenEngine(clock),
            new PkiEngine(clock),
            new SshEngine(clock),
            new RabbitMqEngine(clock),
            new GenericEngine(clock)));
  }

  public Optional<CredentialEngine> forKind(String kind) {
    return Optional.ofNullable(byKind.get(requireNonNull(kind, "kind")));
  }

  /** The engine for {@code kind}; a policy file naming an unknown kind is a configuration error. */
  public CredentialEngine require(String kind) {
    return forKind(kind)
        .orElseThrow(
            () -> new IllegalArgumentException("unknown credential kind '" + kind + "' (known: " + kinds() + ")"));
  }

  public Set<String> kinds() {
    return new TreeSet<>(byKind.keySet());
  }
}
