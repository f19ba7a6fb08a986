package dev.minter.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RequireOwnerTest {
  private static final String REST =
      """
      roles:
        r: {kind: database, path: database/creds/r, vault_policies: [p]}
      rules:
        - {id: a, identities: ["spiffe://x/**"], roles: [r], purposes: ["*"], max_ttl: 5m}
      """;

  @Test
  void requireOwner_absent_isOff() {
    assertThat(PolicyFile.parse(REST, "p.yaml").requiresOwner()).isFalse();
  }

  @Test
  void requireOwner_true_isOn() {
    assertThat(PolicyFile.parse("require_owner: true\n" + REST, "p.yaml").requiresOwner()).isTrue();
  }

  @Test
  void requireOwner_notABoolean_isRefusedNamingTheKey() {
    assertThatThrownBy(() -> PolicyFile.parse("require_owner: \"yes\"\n" + REST, "p.yaml"))
        .isInstanceOf(PolicyException.class)
        .hasMessageContaining("require_owner")
        .hasMessageContaining("true or false");
  }
}
