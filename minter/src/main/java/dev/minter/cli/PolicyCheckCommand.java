package dev.minter.cli;

import dev.minter.policy.Policy;
import dev.minter.policy.PolicyException;
import dev.minter.policy.PolicyFile;
import dev.minter.policy.PolicyLint;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code minter policy check FILE}: would the server load this policy, and does every rule matter? */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = {
      "Validate a policy file exactly as the server loads it (syntax, unknown keys, unknown roles, TTLs, role",
      "requirements, and every CEL condition parsed and type-checked), then look for unreachable rules: a rule an",
      "earlier rule without conditions always wins over, because the earlier one applies to all its identities and",
      "allows a superset (its roles, purposes and max_ttl). The check is conservative: what it reports is certainly",
      "unreachable; some dead rules with overlapping wildcards go unreported. Other findings (a role no rule grants,",
      "a rule that can never grant a role because of the role's closed purpose list) are printed as warnings."
    },
    footer = {
      "",
      "Example:",
      "  minter policy check deploy/local/policy.yaml",
      "",
      "Exit codes: 0 valid (warnings may be printed); 1 invalid or unreachable rules found; 2 usage."
    })
public final class PolicyCheckCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "FILE", description = "The policy file.")
  Path file;

  @Override
  public Integer call() {
    Policy policy;
    try {
      policy = PolicyFile.load(file);
    } catch (PolicyException e) {
      System.out.println("INVALID: " + e.getMessage());
      return 1;
    }
    List<PolicyLint.Unreachable> dead = PolicyLint.unreachable(policy);
    dead.forEach(u -> System.out.println("WARNING: " + u.message()));
    List<String> warnings = PolicyLint.warnings(policy);
    warnings.forEach(w -> System.out.println("WARNING: " + w));
    System.out.println(
        file + ": valid (" + policy.roles().size() + " roles, " + policy.rules().size() + " rules, sha256 "
            + policy.sha256() + ")" + (dead.isEmpty() ? "" : "; " + dead.size() + " unreachable rule(s)")
            + (warnings.isEmpty() ? "" : "; " + warnings.size() + " warning(s)"));
    return dead.isEmpty() ? 0 : 1;
  }
}
