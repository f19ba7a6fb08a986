package dev.minter.attest.aws.iam;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What an agent does for {@code aws_iam}: sign {@code POST / Action=GetCallerIdentity&Version=2011-06-15} with SigV4
 * and its AWS credentials, the way the AWS SDKs do (Host signed but not sent as a header, since the HTTP client adds it
 * from the URL; a signed {@code amz-sdk-invocation-id}), and package it as Vault-style evidence JSON. Every field is open so tests can change
 * what is signed ({@link Draft}) or tamper with what was signed ({@link Request}).
 */
public final class TestAwsSigner {
  public static final String GET_CALLER_IDENTITY = "Action=GetCallerIdentity&Version=2011-06-15";
  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();

  private TestAwsSigner() {}

  /** AWS credentials; {@code sessionToken} is null for an IAM user's long-term keys. */
  public record Credentials(String accessKeyId, String secretKey, String sessionToken) {
    /** Fresh random credentials with access key ID {@code prefix} + random letters (20 characters). */
    public static Credentials random(String prefix, boolean temporary) {
      StringBuilder id = new StringBuilder(prefix);
      while (id.length() < 20) {
        id.append((char) ('A' + RANDOM.nextInt(26)));
      }
      byte[] secret = new byte[30];
      RANDOM.nextBytes(secret);
      byte[] token = new byte[96];
      RANDOM.nextBytes(token);
      return new Credentials(id.toString(), Base64.getEncoder().encodeToString(secret),
          temporary ? Base64.getEncoder().encodeToString(token) : null);
    }

    @Override
    public String toString() {
      return "Credentials[" + accessKeyId + "]";
    }
  }

  /** What to sign. Defaults are what a well-behaved agent sends. */
  public static final class Draft {
    public String method = "POST";
    public String url;
    public String body = GET_CALLER_IDENTITY;
    public String region = "us-east-1";
    public String service = "sts";
    public Instant at;
    /** Headers sent and signed (X-Amz-Date, server ID, security token are added by the constructor). */
    public final Map<String, String> headers = new LinkedHashMap<>();
    /** Lowercase names to sign; null means every header plus host. */
    public List<String> signed;

    public Draft(Credentials credentials, String url, String serverId, Instant at) {
      this.url = url;
      this.at = at;
      headers.put("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
      headers.put("X-Amz-Date", AMZ_DATE.format(at));
      // As the AWS SDKs do: a unique, signed ID per request, so two requests signed in the same second differ.
      headers.put("amz-sdk-invocation-id", java.util.UUID.randomUUID().toString());
      if (credentials.sessionToken() != null) {
        headers.put("X-Amz-Security-Token", credentials.sessionToken());
      }
      if (serverId != null) {
        headers.put("X-Minter-Server-Id", serverId);
      }
    }

    /** Signs this draft with {@code credentials}. */
    public Request sign(Credentials credentials) {
      URI uri = URI.create(url);
      Map<String, String> toSign = new LinkedHashMap<>();
      List<String> names = signed;
      if (names == null) {
        names = new ArrayList<>(headers.keySet().stream().map(String::toLowerCase).toList());
        names.add("host");
      }
      for (String name : names) {
        String value = name.equals("host") ? uri.getRawAuthority() : headerIgnoringCase(name);
        toSign.put(name, Objects.requireNonNull(value, name));
      }
      String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
      String query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
      String amzDate = headerIgnoringCase("x-amz-date") == null ? AMZ_DATE.format(at) : headerIgnoringCase("x-amz-date");
      String canonical = SigV4.canonicalRequest(method, path, query, toSign, body.getBytes(StandardCharsets.UTF_8));
      String signature = SigV4.signature(credentials.secretKey(), amzDate, region, service, canonical);
      List<String> sortedNames = toSign.keySet().stream().map(String::toLowerCase).sorted().toList();
      Request request = new Request(method, url, body);
      request.headers.put("Authorization",
          SigV4.authorization(credentials.accessKeyId(), amzDate, region, service, sortedNames, signature));
      request.headers.putAll(headers);
      return request;
    }

    private String headerIgnoringCase(String name) {
      return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue)
          .findFirst().orElse(null);
    }
  }

  /** A signed request, as the agent would hand it to Minter. */
  public static final class Request {
    public String method;
    public String url;
    public String body;
    public final Map<String, String> headers = new LinkedHashMap<>();

    Request(String method, String url, String body) {
      this.method = method;
      this.url = url;
      this.body = body;
    }

    /** The Vault-style evidence payload. */
    public byte[] evidence() {
      ObjectNode headerJson = JSON.createObjectNode();
      headers.forEach((name, value) -> headerJson.putArray(name).add(value));
      return TestAwsSigner.evidence(method, b64(url), b64(body), b64(headerJson.toString()));
    }

    /** The evidence payload with the headers JSON given verbatim (for malformed-header cases). */
    public byte[] evidenceWithHeadersJson(String headersJson) {
      return TestAwsSigner.evidence(method, b64(url), b64(body), b64(headersJson));
    }
  }

  /** An evidence payload from already-encoded fields. */
  public static byte[] evidence(String method, String url64, String body64, String headers64) {
    ObjectNode root = JSON.createObjectNode()
        .put("iam_http_request_method", method)
        .put("iam_request_url", url64)
        .put("iam_request_body", body64)
        .put("iam_request_headers", headers64);
    return root.toString().getBytes(StandardCharsets.UTF_8);
  }

  public static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
