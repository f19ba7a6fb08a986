package dev.minter.attest;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Builds one kind of {@link Attestor} from its section of the configuration ({@code attestors.<kind>}).
 *
 * @param kind the evidence kind (and configuration key)
 * @param builder makes the attestor; throws {@link IllegalArgumentException} naming the bad setting
 */
public record AttestorFactory(String kind, Builder builder) {
  public AttestorFactory {
    requireNonNull(kind, "kind");
    requireNonNull(builder, "builder");
  }

  /** Makes an attestor from its configuration node (never null; an empty object when unset). */
  @FunctionalInterface
  public interface Builder {
    Attestor build(JsonNode config, AttestorEnvironment env) throws Exception;
  }
}
