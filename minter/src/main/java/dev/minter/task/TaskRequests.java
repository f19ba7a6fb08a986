package dev.minter.task;

import static dev.minter.task.TaskException.Kind.INVALID;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;

/** Checks the shape of requests before the policy sees them; messages say what was wrong and what is expected. */
final class TaskRequests {
  static final int MAX_PURPOSE_LENGTH = 256;
  static final int MAX_ROLES = 16;
  static final int MAX_LABELS = 32;
  static final int MAX_LABEL_KEY = 63;
  static final int MAX_LABEL_VALUE = 256;
  static final int MAX_ID_LENGTH = 128;

  private TaskRequests() {}

  static void check(BeginTaskCommand command) {
    checkText("purpose", command.purpose(), MAX_PURPOSE_LENGTH);
    command.ttl().ifPresent(TaskRequests::checkTtl);
    if (command.roles().isEmpty()) {
      throw new TaskException(INVALID, "roles: [] (expected: at least one credential role)");
    }
    if (command.roles().size() > MAX_ROLES) {
      throw new TaskException(INVALID, "roles: " + command.roles().size() + " (expected: <= " + MAX_ROLES + ")");
    }
    if (new HashSet<>(command.roles()).size() != command.roles().size()) {
      throw new TaskException(INVALID, "roles: " + command.roles() + " (expected: no duplicates)");
    }
    command.roles().forEach(r -> checkText("role", r, MAX_ID_LENGTH));
    if (command.labels().size() > MAX_LABELS) {
      throw new TaskException(INVALID, "labels: " + command.labels().size() + " (expected: <= " + MAX_LABELS + ")");
    }
    for (Map.Entry<String, String> e : command.labels().entrySet()) {
      checkText("label key", e.getKey(), MAX_LABEL_KEY);
      checkText("label '" + e.getKey() + "'", e.getValue(), MAX_LABEL_VALUE);
    }
  }

  static void checkTtl(Duration ttl) {
    if (ttl.isZero() || ttl.isNegative()) {
      throw new TaskException(INVALID, "ttl: " + ttl + " (expected: > 0)");
    }
  }

  static final int MAX_PARAMETERS = 8;
  static final int MAX_PARAMETER_VALUE = 16 * 1024;

  static void checkParameters(Map<String, String> parameters) {
    if (parameters.size() > MAX_PARAMETERS) {
      throw new TaskException(INVALID, "parameters: " + parameters.size() + " (expected: <= " + MAX_PARAMETERS + ")");
    }
    for (Map.Entry<String, String> e : parameters.entrySet()) {
      checkText("parameter name", e.getKey(), MAX_LABEL_KEY);
      if (e.getValue().length() > MAX_PARAMETER_VALUE) {
        throw new TaskException(INVALID, "parameter '" + e.getKey() + "': " + e.getValue().length()
            + " characters (expected: <= " + MAX_PARAMETER_VALUE + ")");
      }
    }
  }

  static void checkId(String what, String value) {
    checkText(what, value, MAX_ID_LENGTH);
  }

  static void checkText(String what, String value, int max) {
    if (value.isBlank()) {
      throw new TaskException(INVALID, what + ": empty (expected: a non-blank string)");
    }
    if (value.length() > max) {
      throw new TaskException(INVALID, what + ": " + value.length() + " characters (expected: <= " + max + ")");
    }
    if (value.chars().anyMatch(Character::isISOControl)) {
      throw new TaskException(INVALID, what + ": contains control characters (expected: printable text)");
    }
  }
}
