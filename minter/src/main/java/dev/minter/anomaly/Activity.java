package dev.minter.anomaly;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One call an agent makes, as the detector sees it.
 *
 * @param identity the attested agent
 * @param roles the roles it asks for (all of a BeginTask's, or the one of a MintCredential)
 * @param purpose the task's declared purpose
 * @param mint whether it is a MintCredential (counted by {@code mint_rate}); false for a BeginTask
 */
public record Activity(String identity, List<String> roles, String purpose, boolean mint) {
  public Activity {
    requireNonNull(identity, "identity");
    roles = List.copyOf(requireNonNull(roles, "roles"));
    requireNonNull(purpose, "purpose");
  }

  public static Activity begin(String identity, List<String> roles, String purpose) {
    return new Activity(identity, roles, purpose, false);
  }

  public static Activity mint(String identity, String role, String purpose) {
    return new Activity(identity, List.of(role), purpose, true);
  }
}
