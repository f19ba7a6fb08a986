package dev.minter.vault;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.github.jopenlibs.vault.Vault;
import io.github.jopenlibs.vault.VaultConfig;
import io.github.jopenlibs.vault.VaultException;
import io.github.jopenlibs.vault.json.Json;
import io.github.jopenlibs.vault.response.LogicalResponse;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One request to OpenBao/Vault through vault-java-driver over the gateway's shared HttpClient, with the answer
 * turned into JSON or into Minter's two faults. Never puts a token into a message: messages carry the server
 * address, the API path and Vault's own error text (which never echoes tokens).
 */
final class VaultTransport {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int VAULT_BODY_LIMIT = 300;

  private final VaultGatewayConfig config;
  private final HttpClient http;

  VaultTransport(VaultGatewayConfig config, HttpClient http) {
    this.config = requireNonNull(config, "config");
    this.http = requireNonNull(http, "http");
  }

  JsonNode read(String path, Secret token) {
    return execute("GET", path, token, null);
  }

  JsonNode write(String path, Secret token, Map<String, Object> body) {
    return execute("POST", path, token, requireNonNull(body, "body"));
  }

  private JsonNode execute(String verb, String path, Secret token, Map<String, Object> body) {
    LogicalResponse response;
    try {
      // engineVersion(1): no KV-v2 path rewriting (database/creds/x must stay as it is). Retries stay 0: the
      // callers decide what is safe to repeat (a repeated token create would mint a second token).
      Vault vault =
          Vault.create(
              new VaultConfig()
                  .address(config.address().toString())
                  .token(token.reveal())
                  .engineVersion(1)
                  .httpClient(http)
                  .openTimeout(timeoutSeconds())
                  .readTimeout(timeoutSeconds())
                  .build());
      response = body == null ? vault.logical().read(path) : vault.logical().write(path, driverJson(body));
    } catch (VaultException e) {
      throw fault(verb, path, e);
    }
    int status = response.getRestResponse().getStatus();
    byte[] bytes = response.getRestResponse().getBody();
    if (status >= 500) {
      throw unavailable("HTTP " + status + " on " + verb + " " + path + ": " + errors(bytes), null);
    }
    if (status >= 400) {
      throw refused(verb, path, status, bytes);
    }
    return parse(bytes);
  }

  /**
   * The driver writes lists and maps with toString(); hand it their JSON instead (policies as an array, meta as
   * an object), keeping strings, booleans and numbers as they are.
   */
  private static Map<String, Object> driverJson(Map<String, Object> body) {
    Map<String, Object> out = new LinkedHashMap<>();
    body.forEach(
        (key, value) -> {
          if (value instanceof List<?> || value instanceof Map<?, ?>) {
            try {
              out.put(key, Json.parse(JSON.writeValueAsString(value)));
            } catch (JsonProcessingException e) {
              throw new IllegalArgumentException("body." + key + " cannot be written as JSON", e);
            }
          } else {
            out.put(key, value);
          }
        });
    return out;
  }

  private int timeoutSeconds() {
    return (int) Math.max(1, (config.requestTimeout().toMillis() + 999) / 1000);
  }

  private RuntimeException fault(String verb, String path, VaultException e) {
    int status = e.getHttpStatusCode();
    if (status >= 400 && status < 500) {
      return refused(verb, path, status, bodyOf(e).getBytes(StandardCharsets.UTF_8));
    }
    if (status >= 500) {
      return unavailable("HTTP " + status + " on " + verb + " " + path + ": " + errors(bodyOf(e).getBytes(StandardCharsets.UTF_8)), e);
    }
    if (interrupted(e)) {
      Thread.currentThread().interrupt();
      return unavailable("interrupted while waiting for " + verb + " " + path, e);
    }
    return unavailable(reason(e), e);
  }

  private VaultRequestException refused(String verb, String path, int status, byte[] body) {
    return new VaultRequestException(
        status,
        "OpenBao/Vault at " + config.address() + " refused " + verb + " " + path + " (HTTP " + status + "): "
            + errors(body));
  }

  VaultUnavailableException unavailable(String reason, Throwable cause) {
    return new VaultUnavailableException(
        "OpenBao/Vault at " + config.address() + " is unreachable: " + reason
            + " (is it running and unsealed, and is the address right?)",
        cause);
  }

  private String reason(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectException || t instanceof ClosedChannelException) {
        return "connection refused";
      }
      if (t instanceof HttpConnectTimeoutException) {
        return "no connection within " + config.requestTimeout();
      }
      if (t instanceof HttpTimeoutException) {
        return "no answer within " + config.requestTimeout();
      }
      if (t instanceof IOException && t.getCause() == null) {
        return t.getClass().getSimpleName() + ": " + t.getMessage();
      }
    }
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
  }

  private static boolean interrupted(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof InterruptedException) {
        return true;
      }
    }
    return false;
  }

  /** The driver puts the response body after "Response body:" in its exception message. */
  private static String bodyOf(VaultException e) {
    String message = e.getMessage() == null ? "" : e.getMessage();
    int at = message.indexOf('{');
    return at < 0 ? "" : message.substring(at);
  }

  /** Vault's {"errors": [...]}, joined; anything else shortened. */
  static String errors(byte[] body) {
    if (body == null || body.length == 0) {
      return "(no error text)";
    }
    JsonNode node = parse(body);
    List<String> out = new ArrayList<>();
    node.path("errors").forEach(error -> out.add(error.asText().strip().replaceAll("\\s+", " ")));
    if (!out.isEmpty()) {
      return String.join("; ", out);
    }
    String text = new String(body, StandardCharsets.UTF_8).strip();
    return text.length() > VAULT_BODY_LIMIT ? text.substring(0, VAULT_BODY_LIMIT) + "…" : text;
  }

  private static JsonNode parse(byte[] body) {
    if (body == null || body.length == 0) {
      return MissingNode.getInstance();
    }
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      return MissingNode.getInstance();
    }
  }
}
