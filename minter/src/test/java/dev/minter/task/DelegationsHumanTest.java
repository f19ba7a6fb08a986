package dev.minter.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import dev.minter.attest.InMemoryReplayGuard;
import dev.minter.attest.TestClock;
import dev.minter.attest.WorkloadIdentity;
import dev.minter.attest.jwt.FixedJwkSource;
import dev.minter.attest.jwt.TestJwts;
import dev.minter.delegation.DelegationTokenVerifier;
import dev.minter.policy.DelegationView;
import dev.minter.policy.Glob;
import dev.minter.vault.Secret;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Delegations#resolve} with a human's delegation token: the chain and scope the policy then reads, and the
 * request checked against the delegated scope before the policy, with reasons that name the delegator.
 */
class DelegationsHumanTest {
  static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
  static final String ISS = "https://idp.corp.example";
  static final WorkloadIdentity AGENT =
      new WorkloadIdentity("spiffe://minter.local/agents/research-bot", "x509_svid", Map.of());
  static final WorkloadIdentity OTHER =
      new WorkloadIdentity("spiffe://minter.local/agents/other-bot", "x509_svid", Map.of());
  static final ECKey IDP = TestJwts.ec("idp-1", Curve.P_256);

  final TestClock clock = new TestClock(NOW);
  final Delegations delegations =
      new Delegations(Optional.of(new DelegationTokenVerifier(
          Map.of(ISS, new FixedJwkSource(new JWKSet(IDP.toPublicJWK()))), "minter", Duration.ofHours(1), clock,
          Duration.ofSeconds(30), new InMemoryReplayGuard(clock, 100))));

  static String token() {
    return new TestJwts.Builder(IDP, "ES256")
        .claim("iss", ISS)
        .claim("aud", "minter")
        .claim("sub", "alice@corp.example")
        .claim("act", Map.of("sub", AGENT.id()))
        .claim("scope", "role:analytics-ro role:vault-token purpose:report:*")
        .claim("max_ttl", 600)
        .claim("iat", NOW.minusSeconds(30))
        .claim("exp", NOW.plus(Duration.ofMinutes(30)))
        .build();
  }

  static BeginTaskCommand command(String purpose, Optional<Duration> ttl, String... roles) {
    return new BeginTaskCommand(purpose, ttl, List.of(roles), Map.of(), Optional.of(Secret.of(token())),
        Optional.empty());
  }

  @Test
  void resolve_tokenWithinScope_chainStartsWithTheHumanAndCarriesTheScope() {
    Delegations.Resolved resolved =
        delegations.resolve(AGENT, command("report:q3", Optional.of(Duration.ofMinutes(5)), "analytics-ro"));

    assertThat(resolved.view().chain()).containsExactly(DelegationView.Link.human("alice@corp.example"));
    assertThat(resolved.view().human()).contains("alice@corp.example");
    assertThat(resolved.view().depth()).isZero();
    DelegationView.Scope scope = resolved.view().scope().orElseThrow();
    assertThat(scope.roles()).containsExactlyInAnyOrder("analytics-ro", "vault-token");
    assertThat(scope.purposes()).containsExactly(Glob.compile("report:*"));
    assertThat(scope.maxTtl()).contains(Duration.ofMinutes(10));
    assertThat(resolved.parent()).isEmpty();
    assertThat(resolved.grantId()).isEmpty();
  }

  @Test
  void resolve_noTtlRequested_leavesTheTtlCapToThePolicy() {
    Delegations.Resolved resolved = delegations.resolve(AGENT, command("report:q3", Optional.empty(), "vault-token"));

    assertThat(resolved.view().scope().orElseThrow().maxTtl()).contains(Duration.ofMinutes(10));
  }

  static Stream<Arguments> refusals() {
    return Stream.of(
        arguments(Named.of("role not delegated", command("report:q3", Optional.empty(), "analytics-ro", "admin-rw")),
            AGENT, TaskException.Kind.DENIED,
            "role 'admin-rw' was not delegated by alice@corp.example (delegated: [analytics-ro, vault-token])"),
        arguments(Named.of("purpose not delegated", command("export:all", Optional.empty(), "analytics-ro")),
            AGENT, TaskException.Kind.DENIED,
            "purpose 'export:all' was not delegated by alice@corp.example (delegated: [report:*])"),
        arguments(
            Named.of("ttl beyond max_ttl", command("report:q3", Optional.of(Duration.ofMinutes(11)), "vault-token")),
            AGENT, TaskException.Kind.DENIED,
            "ttl PT11M exceeds what was delegated by alice@corp.example (PT10M left)"),
        arguments(Named.of("token for another agent", command("report:q3", Optional.empty(), "analytics-ro")),
            OTHER, TaskException.Kind.DENIED, "was issued to agent 'spiffe://minter.local/agents/research-bot'"),
        arguments(Named.of("garbage token", new BeginTaskCommand("report:q3", Optional.empty(), List.of("analytics-ro"),
                Map.of(), Optional.of(Secret.of("garbage")), Optional.empty())),
            AGENT, TaskException.Kind.UNAUTHENTICATED, "delegation token is malformed"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusals")
  void resolve_requestOutsideTheToken_refusedWithKindAndReason(
      BeginTaskCommand command, WorkloadIdentity caller, TaskException.Kind kind, String reason) {
    assertThatThrownBy(() -> delegations.resolve(caller, command))
        .isInstanceOfSatisfying(TaskException.class, e -> assertThat(e.kind()).isEqualTo(kind))
        .hasMessageContaining(reason)
        .hasMessageNotContaining(command.delegationToken().orElseThrow().reveal());
  }

  @Test
  void resolve_sameTokenTwice_secondIsUnauthenticated() {
    BeginTaskCommand command = command("report:q3", Optional.empty(), "analytics-ro");
    delegations.resolve(AGENT, command);

    assertThatThrownBy(() -> delegations.resolve(AGENT, command))
        .isInstanceOfSatisfying(TaskException.class,
            e -> assertThat(e.kind()).isEqualTo(TaskException.Kind.UNAUTHENTICATED))
        .hasMessageContaining("was already used");
  }

  @Test
  void resolve_nothingConfigured_tokenRefusedAsInvalid() {
    assertThatThrownBy(() -> new Delegations().resolve(AGENT, command("report:q3", Optional.empty(), "analytics-ro")))
        .isInstanceOfSatisfying(TaskException.class, e -> assertThat(e.kind()).isEqualTo(TaskException.Kind.INVALID))
        .hasMessage("delegation tokens are not accepted: no delegation issuer is configured");
  }

  @Test
  void resolve_noDelegationEvidence_isUndelegated() {
    assertThat(delegations.resolve(AGENT, new BeginTaskCommand("report:q3", Optional.empty(), List.of("x"), Map.of())))
        .isEqualTo(Delegations.Resolved.NONE);
  }
}
