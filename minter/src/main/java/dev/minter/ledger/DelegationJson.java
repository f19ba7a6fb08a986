package dev.minter.ledger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.minter.policy.DelegationView;
import dev.minter.policy.Glob;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A task's {@link DelegationView} as the ledger's {@code tasks.delegation} column holds it:
 * {@code {"chain":[{"kind","subject","task","rule"}...], "scope":{"roles":[...],"purposes":[...],"max_ttl_seconds":n}}};
 * NULL for an undelegated task.
 */
final class DelegationJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private DelegationJson() {}

  static String write(DelegationView view, String taskId) {
    if (view.chain().isEmpty() && view.scope().isEmpty()) {
      return null;
    }
    ObjectNode root = JSON.createObjectNode();
    ArrayNode chain = root.putArray("chain");
    for (DelegationView.Link link : view.chain()) {
      chain.addObject()
          .put("kind", link.kind())
          .put("subject", link.subject())
          .put("task", link.task())
          .put("rule", link.rule());
    }
    view.scope().ifPresent(scope -> {
      ObjectNode node = root.putObject("scope");
      ArrayNode roles = node.putArray("roles");
      scope.roles().stream().sorted().forEach(roles::add);
      ArrayNode purposes = node.putArray("purposes");
      scope.purposes().forEach(g -> purposes.add(g.pattern()));
      scope.maxTtl().ifPresent(ttl -> node.put("max_ttl_seconds", ttl.toSeconds()));
    });
    try {
      return JSON.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new LedgerException("ledger: cannot write the delegation of task " + taskId + " as JSON", e);
    }
  }

  static DelegationView read(String text, String taskId) {
    if (text == null) {
      return DelegationView.NONE;
    }
    try {
      JsonNode root = JSON.readTree(text);
      List<DelegationView.Link> chain = new ArrayList<>();
      for (JsonNode link : root.path("chain")) {
        chain.add(new DelegationView.Link(
            link.path("kind").asText(), link.path("subject").asText(), link.path("task").asText(),
            link.path("rule").asText()));
      }
      JsonNode scope = root.path("scope");
      if (scope.isMissingNode()) {
        return new DelegationView(chain, Optional.empty());
      }
      Set<String> roles = new LinkedHashSet<>();
      scope.path("roles").forEach(r -> roles.add(r.asText()));
      List<Glob> purposes = new ArrayList<>();
      scope.path("purposes").forEach(p -> purposes.add(Glob.compile(p.asText())));
      Optional<Duration> maxTtl = scope.has("max_ttl_seconds")
          ? Optional.of(Duration.ofSeconds(scope.get("max_ttl_seconds").asLong()))
          : Optional.empty();
      return new DelegationView(chain, Optional.of(new DelegationView.Scope(roles, purposes, maxTtl)));
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new LedgerException("ledger: the delegation of task " + taskId + " is not valid", e);
    }
  }
}
