package dev.minter.delegation;

import dev.minter.policy.Glob;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Parses a delegation token's {@code scope} claim: space-separated entries, each {@code role:<name>} (a credential
 * role the delegator hands on) or {@code purpose:<glob>} (a purpose the agent may declare, as a policy glob). At
 * least one of each is required and anything else is refused: a scope Minter does not fully understand must not be
 * read as "whatever the parts I understand say", because an issuer that meant to restrict something would then have
 * silently delegated more.
 */
final class DelegatedScope {
  static final int MAX_ENTRIES = 32;
  static final int MAX_ENTRY_LENGTH = 256;
  private static final String ROLE = "role:";
  private static final String PURPOSE = "purpose:";

  /** The parsed scope; {@code purposes} keep their order of appearance. */
  record Parsed(Set<String> roles, List<Glob> purposes) {}

  private DelegatedScope() {}

  /**
   * @throws IllegalArgumentException saying what is wrong, quoting at most one bounded, printable entry
   */
  static Parsed parse(String scope) {
    if (scope.isBlank()) {
      throw new IllegalArgumentException("'scope' is empty (expected: role:<name> and purpose:<glob> entries)");
    }
    String[] entries = scope.strip().split(" +");
    if (entries.length > MAX_ENTRIES) {
      throw new IllegalArgumentException(
          "'scope' has " + entries.length + " entries (expected: <= " + MAX_ENTRIES + ")");
    }
    Set<String> roles = new LinkedHashSet<>();
    Set<String> purposes = new LinkedHashSet<>();
    for (String entry : entries) {
      if (entry.length() > MAX_ENTRY_LENGTH || !entry.matches("[\\x21-\\x7e]+")) {
        throw new IllegalArgumentException("'scope' entry is not printable ASCII of at most " + MAX_ENTRY_LENGTH
            + " characters");
      }
      if (entry.startsWith(ROLE) && entry.length() > ROLE.length()) {
        roles.add(entry.substring(ROLE.length()));
      } else if (entry.startsWith(PURPOSE) && entry.length() > PURPOSE.length()) {
        purposes.add(entry.substring(PURPOSE.length()));
      } else {
        throw new IllegalArgumentException("'scope' entry '" + entry + "' is not role:<name> or purpose:<glob>");
      }
    }
    if (roles.isEmpty() || purposes.isEmpty()) {
      throw new IllegalArgumentException("'scope' must name at least one role:<name> and one purpose:<glob>");
    }
    List<Glob> globs = new ArrayList<>();
    purposes.forEach(p -> globs.add(Glob.compile(p)));
    return new Parsed(Set.copyOf(roles), List.copyOf(globs));
  }
}
