package dev.minter.bench;

import dev.minter.attest.WorkloadIdentity;
import dev.minter.policy.AgentView;
import dev.minter.policy.Decision;
import dev.minter.policy.DelegationView;
import dev.minter.policy.Glob;
import dev.minter.policy.Policy;
import dev.minter.policy.PolicyContext;
import dev.minter.policy.PolicyFile;
import dev.minter.policy.PolicyRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@link Policy#decide} as BeginTask and MintCredential call it, through {@link PolicyFile#parse} like the server.
 *
 * <ul>
 *   <li>{@code v0Rules20}: a v0-style file of 20 rules without conditions; the caller matches only the last rule, so
 *       every decision walks all 20 identity globs (the worst case of a plain file).
 *   <li>{@code celConditions}: one v1 rule with four CEL conditions (claims, office hours, posture, resource
 *       sensitivity with the agent's record) on a human-delegated request with a delegated scope, allowed.
 *   <li>{@code celConditionsDenied}: the same request outside office hours (denied by the second condition).
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PolicyDecideBenchmark {
  private static final Instant OFFICE_HOURS = Instant.parse("2026-11-30T10:15:00Z"); // a Monday
  private static final Instant NIGHT = Instant.parse("2026-11-30T22:15:00Z");

  private Policy v0;
  private PolicyRequest v0Request;
  private Policy cel;
  private PolicyRequest celRequest;
  private PolicyRequest celNightRequest;

  @Setup
  public void setUp() {
    v0 = PolicyFile.parse(v0Yaml(20), "bench-v0.yaml");
    v0Request = new PolicyRequest(
        new WorkloadIdentity("spiffe://corp.example/team-19/agents/reporter", "x509_svid", Map.of()),
        "report:daily",
        List.of("db-19"),
        Optional.of(Duration.ofMinutes(10)),
        PolicyContext.at(OFFICE_HOURS));
    cel = PolicyFile.parse(CEL_YAML, "bench-cel.yaml");
    celRequest = celRequest(OFFICE_HOURS);
    celNightRequest = celRequest(NIGHT);
    // A benchmark of the wrong outcome measures nothing useful: refuse to run one.
    expect(v0.decide(v0Request), true);
    expect(cel.decide(celRequest), true);
    expect(cel.decide(celNightRequest), false);
  }

  @Benchmark
  public Decision v0Rules20() {
    return v0.decide(v0Request);
  }

  @Benchmark
  public Decision celConditions() {
    return cel.decide(celRequest);
  }

  @Benchmark
  public Decision celConditionsDenied() {
    return cel.decide(celNightRequest);
  }

  /** {@code n} teams, each with its own role and a rule granting it to the team's agents. */
  static String v0Yaml(int n) {
    StringBuilder y = new StringBuilder("admins: [\"spiffe://corp.example/operators/*\"]\nroles:\n");
    for (int i = 0; i < n; i++) {
      y.append("  db-%d: {kind: database, path: database/creds/db-%d, vault_policies: [minter-task-db-%d]}\n"
          .formatted(i, i, i));
    }
    y.append("rules:\n");
    for (int i = 0; i < n; i++) {
      y.append("  - {id: team-%d, identities: [\"spiffe://corp.example/team-%d/agents/*\"], roles: [db-%d],"
          .formatted(i, i, i))
          .append(" purposes: [\"report:*\", \"etl:*\"], max_ttl: 30m}\n");
    }
    return y.toString();
  }

  private static final String CEL_YAML = """
      admins: ["spiffe://corp.example/operators/*"]
      roles:
        analytics-ro:
          {kind: database, path: database/creds/analytics-ro, vault_policies: [minter-task-analytics-ro],
           sensitivity: medium, owner: data-platform, classification: internal}
        prod-admin:
          {kind: database, path: database/creds/prod-admin, vault_policies: [minter-task-prod-admin],
           sensitivity: critical, owner: dba-team, classification: pii,
           requires: {human_delegation: true, max_ttl: 15m, purposes: ["incident:response"]}}
      rules:
        - id: prod-oncall
          identities: ["spiffe://corp.example/agents/*"]
          roles: [analytics-ro, prod-admin]
          purposes: ["incident:*", "report:*"]
          max_ttl: 1h
          when:
            - {name: prod-namespace,
               expr: 'identity.attestor == "k8s_sat" && identity.claims["k8s.namespace"] == "prod"'}
            - {name: office-hours,
               expr: 'time.hour >= 8 && time.hour < 18 && !(time.weekday in ["SATURDAY", "SUNDAY"])'}
            - {name: device-posture, expr: 'posture.disk_encrypted == true && posture.risk_score < 50'}
            - {name: critical-needs-known-agent,
               expr: 'resource.sensitivity != "critical" || (agent.known && agent.status == "active" && agent.owner != "")'}
      """;

  private static PolicyRequest celRequest(Instant now) {
    var identity = new WorkloadIdentity(
        "spiffe://corp.example/agents/oncall-bot", "k8s_sat",
        Map.of("k8s.namespace", "prod", "k8s.cluster", "eu-1", "k8s.service_account", "oncall-bot"));
    var scope = new DelegationView.Scope(
        Set.of("analytics-ro", "prod-admin"), List.of(Glob.compile("incident:*")), Optional.of(Duration.ofMinutes(20)));
    var delegation = new DelegationView(List.of(DelegationView.Link.human("alice@corp.example")), Optional.of(scope));
    var agent = new AgentView("dba-team", "active", Optional.of(now.minus(Duration.ofDays(30))), Optional.of(now));
    var context = new PolicyContext(
        now, Map.of("ticket", "INC-4711"), agent, delegation, Map.of("disk_encrypted", true, "risk_score", 12));
    return new PolicyRequest(
        identity, "incident:response", List.of("analytics-ro", "prod-admin"), Optional.of(Duration.ofMinutes(10)),
        context);
  }

  private static void expect(Decision d, boolean allow) {
    if ((d instanceof Decision.Allow) != allow) {
      throw new IllegalStateException("benchmark setup: expected " + (allow ? "allow" : "deny") + ", got " + d);
    }
  }
}
