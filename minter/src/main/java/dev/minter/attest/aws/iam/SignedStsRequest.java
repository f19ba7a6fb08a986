package dev.minter.attest.aws.iam;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code aws_iam} evidence payload, decoded but not yet judged: a SigV4-signed HTTP request the agent built and
 * did not send. JSON with Vault's aws-auth {@code iam} field names:
 *
 * <pre>{@code
 * {"iam_http_request_method": "POST",
 *  "iam_request_url": base64("https://sts.amazonaws.com/"),
 *  "iam_request_body": base64("Action=GetCallerIdentity&Version=2011-06-15"),
 *  "iam_request_headers": base64({"Authorization": ["AWS4-HMAC-SHA256 …"], "X-Amz-Date": ["…"], …})}
 * }</pre>
 *
 * <p>Parsing is strict (duplicate or unknown keys, several values for one header, non-ASCII header text are all
 * errors) because Minter checks the request and then forwards it: anything two parsers could read differently is a
 * way to make Minter approve one request and STS answer another.
 *
 * @param method the HTTP method
 * @param url the request URL, verbatim
 * @param body the request body bytes, verbatim (forwarded as-is)
 * @param headers lowercase header name → the header as sent (original name, single value)
 */
public record SignedStsRequest(String method, String url, byte[] body, Map<String, Header> headers) {
  public static final int MAX_PAYLOAD_BYTES = 32 * 1024;
  static final int MAX_URL_BYTES = 512;
  static final int MAX_BODY_BYTES = 512;
  static final int MAX_HEADERS_BYTES = 16 * 1024;
  static final int MAX_HEADERS = 24;
  static final int MAX_HEADER_NAME = 64;
  static final int MAX_HEADER_VALUE = 4096;

  static final String METHOD = "iam_http_request_method";
  static final String URL = "iam_request_url";
  static final String BODY = "iam_request_body";
  static final String HEADERS = "iam_request_headers";
  private static final Set<String> FIELDS = Set.of(METHOD, URL, BODY, HEADERS);

  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
  /** RFC 9110 token characters. */
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  public SignedStsRequest {
    requireNonNull(method, "method");
    requireNonNull(url, "url");
    body = requireNonNull(body, "body").clone();
    headers = Map.copyOf(requireNonNull(headers, "headers"));
  }

  @Override
  public byte[] body() {
    return body.clone();
  }

  @Override
  public String toString() {
    // Header values include the session token of the agent's temporary credentials: names only.
    return "SignedStsRequest[method=" + method + ", url=" + url + ", body=" + body.length + " bytes, headers="
        + headers.values().stream().map(Header::name).toList() + "]";
  }

  /** The single value of header {@code name} (any case), if sent. */
  public Optional<String> header(String name) {
    return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT))).map(Header::value);
  }

  /** Decodes {@code payload}; every structural problem is a malformed-evidence rejection. */
  public static SignedStsRequest parse(byte[] payload) throws IamRejection {
    if (payload.length == 0) {
      throw IamRejection.malformed("evidence payload is empty (expected: JSON with the signed STS request)");
    }
    if (payload.length > MAX_PAYLOAD_BYTES) {
      throw IamRejection.malformed(
          "evidence payload is " + payload.length + " bytes (expected: <= " + MAX_PAYLOAD_BYTES + ")");
    }
    JsonNode root = readJson(payload, "evidence payload");
    if (!root.isObject()) {
      throw IamRejection.malformed("evidence payload is not a JSON object");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!FIELDS.contains(field)) {
        throw IamRejection.malformed("evidence payload has unknown field " + IamRejection.quote(field));
      }
    }
    String method = text(root, METHOD);
    if (method.length() > 16) {
      throw IamRejection.malformed(METHOD + " is " + method.length() + " characters (expected: an HTTP method)");
    }
    String url = ascii(base64(root, URL, MAX_URL_BYTES), URL);
    byte[] body = base64(root, BODY, MAX_BODY_BYTES);
    Map<String, Header> headers = headers(base64(root, HEADERS, MAX_HEADERS_BYTES));
    return new SignedStsRequest(method, url, body, headers);
  }

  private static Map<String, Header> headers(byte[] json) throws IamRejection {
    JsonNode root = readJson(json, HEADERS);
    if (!root.isObject()) {
      throw IamRejection.malformed(HEADERS + " is not a JSON object of header name -> list of values");
    }
    if (root.size() > MAX_HEADERS) {
      throw IamRejection.malformed(HEADERS + " has " + root.size() + " headers (expected: <= " + MAX_HEADERS + ")");
    }
    Map<String, Header> headers = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String name = e.getKey();
      if (name.length() > MAX_HEADER_NAME || !TOKEN.matcher(name).matches()) {
        throw IamRejection.malformed("header name " + IamRejection.quote(name) + " is not a valid HTTP header name");
      }
      JsonNode values = e.getValue();
      if (!values.isArray() || values.size() != 1 || !values.get(0).isTextual()) {
        // One value per header: with several, Minter and STS could each act on a different one.
        throw IamRejection.malformed(
            "header " + IamRejection.quote(name) + " must be a list holding exactly one string value");
      }
      String value = values.get(0).asText();
      if (value.length() > MAX_HEADER_VALUE || !value.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
        throw IamRejection.malformed("header " + IamRejection.quote(name) + " value is not printable ASCII of at most "
            + MAX_HEADER_VALUE + " characters");
      }
      if (headers.put(name.toLowerCase(Locale.ROOT), new Header(name, value)) != null) {
        throw IamRejection.malformed("header " + IamRejection.quote(name) + " appears more than once");
      }
    }
    return headers;
  }

  private static JsonNode readJson(byte[] json, String what) throws IamRejection {
    try {
      JsonNode node = JSON.readTree(json);
      if (node == null || node.isMissingNode()) {
        throw IamRejection.malformed(what + " is empty");
      }
      return node;
    } catch (JsonProcessingException e) {
      String detail = e.getOriginalMessage() == null ? "" : e.getOriginalMessage().lines().findFirst().orElse("");
      throw IamRejection.malformed(what + " is not valid JSON: " + IamRejection.quote(detail));
    } catch (IOException e) {
      throw IamRejection.malformed(what + " could not be read");
    }
  }

  private static String text(JsonNode root, String field) throws IamRejection {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      throw IamRejection.malformed("evidence payload lacks " + field);
    }
    if (!node.isTextual()) {
      throw IamRejection.malformed(field + " is not a string");
    }
    return node.asText();
  }

  private static byte[] base64(JsonNode root, String field, int maxBytes) throws IamRejection {
    String text = text(root, field);
    if (text.length() > (maxBytes + 2) / 3 * 4) {
      throw IamRejection.malformed(field + " is longer than " + maxBytes + " bytes decoded");
    }
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw IamRejection.malformed(field + " is not valid base64");
    }
  }

  private static String ascii(byte[] bytes, String field) throws IamRejection {
    for (byte b : bytes) {
      if (b < 0x21 || b > 0x7e) {
        throw IamRejection.malformed(field + " is not printable ASCII without spaces");
      }
    }
    return new String(bytes, StandardCharsets.US_ASCII);
  }

  /** One request header as the agent sent it. */
  public record Header(String name, String value) {
    public Header {
      requireNonNull(name, "name");
      requireNonNull(value, "value");
    }
  }
}
