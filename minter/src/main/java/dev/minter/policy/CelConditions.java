package dev.minter.policy;

import com.google.common.collect.ImmutableCollection;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.CelType;
import dev.cel.common.types.CelTypeProvider;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.StructType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The CEL environment of policy conditions: the variables a {@code when:} expression may read, with their types, and
 * the compiler that type-checks every expression when the policy is loaded. Built once; compiled programs are
 * immutable and thread-safe, so every decision only evaluates.
 *
 * <p>The object-like variables are declared as struct types whose fields are listed in {@link #VARIABLES}, so a
 * misspelt field ({@code identity.claim}) or a comparison of the wrong type ({@code time.hour == "9"}) is refused at
 * load time, not discovered at 3 a.m. The values at run time are plain maps built by {@link PolicyActivation}.
 *
 * <p>Cost: CEL has no unbounded loops; the only iteration is the macros ({@code exists}, {@code all}, …) over the
 * small lists and maps of a request, capped at {@link #MAX_ITERATIONS} per comprehension. Expressions are capped at
 * {@link #MAX_EXPRESSION_LENGTH} characters and {@link #MAX_CONDITIONS} per rule.
 */
public final class CelConditions {
  /** Longest expression accepted, in characters. */
  public static final int MAX_EXPRESSION_LENGTH = 1024;
  /** Most conditions one rule may have. */
  public static final int MAX_CONDITIONS = 16;
  /** Most iterations of one comprehension macro. */
  public static final int MAX_ITERATIONS = 1000;

  private static final CelType STRING_MAP = MapType.create(SimpleType.STRING, SimpleType.STRING);

  /** Each variable's fields and their CEL types, in the order docs/policy.md lists them. */
  static final Map<String, Map<String, CelType>> VARIABLES = variables();

  private static final Map<String, StructType> STRUCTS = structs();
  private static final CelOptions OPTIONS =
      CelOptions.current()
          .comprehensionMaxIterations(MAX_ITERATIONS)
          .maxExpressionCodePointSize(MAX_EXPRESSION_LENGTH)
          .build();
  private static final CelCompiler COMPILER = compiler();
  private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().setOptions(OPTIONS).build();

  private CelConditions() {}

  /**
   * Parses and type-checks {@code expr} against the declared variables; it must yield a bool.
   *
   * @param where names the condition in errors, e.g. {@code policy.yaml: rules[2].when[0]}
   * @throws PolicyException naming {@code where} and CEL's own message when it does not compile
   */
  public static Condition compile(String name, String expr, String where) {
    if (expr.length() > MAX_EXPRESSION_LENGTH) {
      throw new PolicyException("%s: expression of %d characters (expected: at most %d)"
          .formatted(where, expr.length(), MAX_EXPRESSION_LENGTH));
    }
    try {
      var ast = COMPILER.compile(expr).getAst();
      // The checker (result type bool) also accepts dyn, e.g. a bare posture.flag: Condition checks those results
      // when it evaluates them, and anything but a bool fails closed.
      return new Condition(name, expr, RUNTIME.createProgram(ast));
    } catch (CelValidationException e) {
      throw new PolicyException("%s: invalid CEL condition '%s': %s".formatted(where, expr, e.getMessage()), e);
    } catch (CelEvaluationException e) {
      throw new PolicyException("%s: cannot plan CEL condition '%s': %s".formatted(where, expr, e.getMessage()), e);
    }
  }

  private static Map<String, Map<String, CelType>> variables() {
    Map<String, Map<String, CelType>> v = new LinkedHashMap<>();
    v.put("identity", fields("id", SimpleType.STRING, "attestor", SimpleType.STRING, "trust_domain", SimpleType.STRING,
        "claims", STRING_MAP));
    v.put("request", fields("purpose", SimpleType.STRING, "roles", ListType.create(SimpleType.STRING),
        "role", SimpleType.STRING, "ttl_seconds", SimpleType.INT, "labels", STRING_MAP));
    v.put("resource", fields("name", SimpleType.STRING, "kind", SimpleType.STRING, "sensitivity", SimpleType.STRING,
        "owner", SimpleType.STRING, "classification", SimpleType.STRING));
    v.put("delegation", fields("delegated", SimpleType.BOOL, "human", SimpleType.STRING,
        "parent_agent", SimpleType.STRING, "depth", SimpleType.INT, "chain", ListType.create(STRING_MAP)));
    v.put("agent", fields("known", SimpleType.BOOL, "owner", SimpleType.STRING, "status", SimpleType.STRING,
        "first_seen", SimpleType.TIMESTAMP, "last_seen", SimpleType.TIMESTAMP));
    v.put("time", fields("now", SimpleType.TIMESTAMP, "weekday", SimpleType.STRING, "hour", SimpleType.INT,
        "minute", SimpleType.INT));
    return Map.copyOf(v);
  }

  private static Map<String, CelType> fields(Object... nameTypePairs) {
    Map<String, CelType> f = new LinkedHashMap<>();
    for (int i = 0; i < nameTypePairs.length; i += 2) {
      f.put((String) nameTypePairs[i], (CelType) nameTypePairs[i + 1]);
    }
    return Collections.unmodifiableMap(f);
  }

  private static Map<String, StructType> structs() {
    Map<String, StructType> s = new LinkedHashMap<>();
    VARIABLES.forEach((var, fields) -> s.put(var, StructType.create(
        "minter." + var, ImmutableSet.copyOf(fields.keySet()), f -> Optional.ofNullable(fields.get(f)))));
    return Map.copyOf(s);
  }

  private static CelCompiler compiler() {
    CelTypeProvider types = new CelTypeProvider() {
      @Override
      public ImmutableCollection<CelType> types() {
        return ImmutableList.copyOf(STRUCTS.values());
      }

      @Override
      public Optional<CelType> findType(String typeName) {
        return STRUCTS.values().stream().filter(t -> t.name().equals(typeName)).map(t -> (CelType) t).findFirst();
      }
    };
    var builder = CelCompilerFactory.standardCelCompilerBuilder()
        .setOptions(OPTIONS)
        .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
        .setTypeProvider(types)
        .setResultType(SimpleType.BOOL)
        .addVar("posture", MapType.create(SimpleType.STRING, SimpleType.DYN));
    STRUCTS.forEach(builder::addVar);
    return builder.build();
  }
}
