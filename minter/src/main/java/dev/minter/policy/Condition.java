package dev.minter.policy;

import static java.util.Objects.requireNonNull;

import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.util.Map;
import java.util.Optional;

/**
 * One {@code when:} condition of a rule: a CEL expression, type-checked when the policy was loaded, that must hold
 * for the rule to allow. Built only by {@link CelConditions#compile}.
 *
 * @param name the name denial reasons use; the expression itself when the file gives none
 * @param expr the CEL source
 * @param program the compiled program (thread-safe, shared by every call)
 */
public record Condition(String name, String expr, CelRuntime.Program program) {
  public Condition {
    requireNonNull(name, "name");
    requireNonNull(expr, "expr");
    requireNonNull(program, "program");
  }

  /**
   * Evaluates the condition over {@code variables}. Never throws: an expression that cannot be evaluated (a claim
   * or posture signal that is absent, a result that is not a bool) does not hold — it fails closed, because a
   * condition is a restriction and an unknown must never lift one.
   */
  public Outcome evaluate(Map<String, Object> variables) {
    Object value;
    try {
      value = program.eval(variables);
    } catch (CelEvaluationException e) {
      return new Outcome(false, Optional.of(message(e)));
    } catch (RuntimeException e) {
      // A library bug must not turn into an allow, nor into a failed call: deny like any other error.
      return new Outcome(false, Optional.of(e.getClass().getSimpleName() + ": " + e.getMessage()));
    }
    if (value instanceof Boolean b) {
      return new Outcome(b, Optional.empty());
    }
    return new Outcome(false, Optional.of("result is " + typeName(value) + ", not a bool"));
  }

  private static String message(CelEvaluationException e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m;
  }

  private static String typeName(Object value) {
    return value == null ? "null" : value.getClass().getSimpleName();
  }

  /**
   * What one evaluation found.
   *
   * @param held whether the condition holds (false whenever {@code error} is present)
   * @param error why it could not be evaluated, in CEL's words
   */
  public record Outcome(boolean held, Optional<String> error) {
    public Outcome {
      requireNonNull(error, "error");
      if (held && error.isPresent()) {
        throw new IllegalArgumentException("an outcome with an error cannot hold");
      }
    }
  }
}
