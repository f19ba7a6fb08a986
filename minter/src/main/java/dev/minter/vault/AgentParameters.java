package dev.minter.vault;

import dev.minter.task.TaskException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * An agent's request parameters for one engine, checked before anything reaches Vault. Agent input is untrusted:
 * an unknown name is refused (never silently passed on, where it could widen what Vault issues), and values are
 * bounded. Failures are {@link TaskException.Kind#INVALID} (the agent can fix them); messages name the parameter,
 * never echo its value.
 */
final class AgentParameters {
  /** A PEM CSR or an OpenSSH public key fits easily; anything larger is not one. */
  static final int MAX_VALUE_LENGTH = 16 * 1024;

  private final String kind;
  private final Map<String, String> values;

  private AgentParameters(String kind, Map<String, String> values) {
    this.kind = kind;
    this.values = values;
  }

  /** Refuses names outside {@code allowed}, blank values and oversized values. */
  static AgentParameters check(String kind, Map<String, String> parameters, Set<String> allowed) {
    Objects.requireNonNull(parameters, "parameters");
    for (Map.Entry<String, String> e : parameters.entrySet()) {
      if (!allowed.contains(e.getKey())) {
        throw invalid(kind, "unknown parameter '" + e.getKey() + "' (expected one of " + new TreeSet<>(allowed) + ")");
      }
      String value = e.getValue();
      if (value == null || value.isBlank()) {
        throw invalid(kind, "parameter '" + e.getKey() + "' is empty");
      }
      if (value.length() > MAX_VALUE_LENGTH) {
        throw invalid(kind, "parameter '" + e.getKey() + "' is longer than " + MAX_VALUE_LENGTH + " characters");
      }
    }
    return new AgentParameters(kind, Map.copyOf(parameters));
  }

  Optional<String> get(String name) {
    return Optional.ofNullable(values.get(name)).map(String::strip);
  }

  String require(String name) {
    return get(name).orElseThrow(() -> invalid(kind, "parameter '" + name + "' is required"));
  }

  /** A value that must be one line (names, lists, keys): a newline could smuggle in another field. */
  Optional<String> oneLine(String name) {
    Optional<String> value = get(name);
    if (value.isPresent() && value.get().chars().anyMatch(c -> c < 0x20)) {
      throw invalid(kind, "parameter '" + name + "' must be one line without control characters");
    }
    return value;
  }

  static TaskException invalid(String kind, String message) {
    return new TaskException(TaskException.Kind.INVALID, kind + ": " + message);
  }
}
