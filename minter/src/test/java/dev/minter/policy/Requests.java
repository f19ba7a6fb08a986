package dev.minter.policy;

import dev.minter.attest.WorkloadIdentity;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A fluent builder of {@link PolicyRequest}s with a full {@link PolicyContext}, for policy v1 tests. */
final class Requests {
  static final String BOT = "spiffe://corp.example/agents/bot";
  /** A Wednesday, 10:30 UTC. */
  static final Instant WEDNESDAY_MORNING = Instant.parse("2026-11-25T10:30:00Z");

  private String identity = BOT;
  private String attestor = "x509_svid";
  private final Map<String, String> claims = new HashMap<>();
  private String purpose = "report:weekly";
  private List<String> roles = List.of("analytics-ro");
  private Optional<Duration> ttl = Optional.empty();
  private Instant now = WEDNESDAY_MORNING;
  private final Map<String, String> labels = new HashMap<>();
  private AgentView agent = AgentView.UNKNOWN;
  private DelegationView delegation = DelegationView.NONE;
  private final Map<String, Object> posture = new HashMap<>();

  static Requests request() {
    return new Requests();
  }

  Requests identity(String id) {
    this.identity = id;
    return this;
  }

  Requests attestor(String kind) {
    this.attestor = kind;
    return this;
  }

  Requests claim(String key, String value) {
    claims.put(key, value);
    return this;
  }

  Requests purpose(String purpose) {
    this.purpose = purpose;
    return this;
  }

  Requests roles(String... roles) {
    this.roles = List.of(roles);
    return this;
  }

  Requests ttl(String ttl) {
    this.ttl = Durations.parse(ttl);
    return this;
  }

  Requests at(String instant) {
    this.now = Instant.parse(instant);
    return this;
  }

  Requests label(String key, String value) {
    labels.put(key, value);
    return this;
  }

  Requests agent(AgentView agent) {
    this.agent = agent;
    return this;
  }

  Requests delegation(DelegationView delegation) {
    this.delegation = delegation;
    return this;
  }

  Requests delegatedBy(String human) {
    return delegation(new DelegationView(List.of(DelegationView.Link.human(human)), Optional.empty()));
  }

  Requests posture(String key, Object value) {
    posture.put(key, value);
    return this;
  }

  PolicyRequest build() {
    return new PolicyRequest(
        new WorkloadIdentity(identity, attestor, claims),
        purpose,
        roles,
        ttl,
        new PolicyContext(now, labels, agent, delegation, posture));
  }
}
