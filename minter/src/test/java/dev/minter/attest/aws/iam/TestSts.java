package dev.minter.attest.aws.iam;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.minter.attest.aws.iam.TestAwsSigner.Credentials;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for AWS STS on 127.0.0.1 that really verifies SigV4 (with {@link SigV4}, against the secret keys of the
 * principals it knows) and answers {@code GetCallerIdentity} in STS's exact XML formats: {@code
 * GetCallerIdentityResponse} on success and {@code ErrorResponse} with STS's codes ({@code SignatureDoesNotMatch},
 * {@code InvalidClientTokenId}, {@code ExpiredToken}, {@code IncompleteSignature}, {@code InvalidAction}) on failure.
 * Tests can override the next answers to play a broken or hostile endpoint.
 */
public final class TestSts implements AutoCloseable {
  /** The global endpoint's signing region. */
  public static final String REGION = "us-east-1";
  private static final Duration STS_WINDOW = Duration.ofMinutes(15);
  private static final Pattern AUTH = Pattern.compile(
      "AWS4-HMAC-SHA256 Credential=([^/]+)/([0-9]{8})/([^/]+)/([^/]+)/aws4_request, "
          + "SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})");
  private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

  /** A caller STS knows: its credentials and what GetCallerIdentity says about it. */
  public record Principal(Credentials credentials, String arn, String userId, String account, boolean tokenExpired) {
    public Principal(Credentials credentials, String arn, String userId, String account) {
      this(credentials, arn, userId, account, false);
    }
  }

  /** A canned answer that replaces verification. */
  public record Canned(int status, String body, Duration delay, Map<String, String> headers) {
    public Canned(int status, String body) {
      this(status, body, Duration.ZERO, Map.of());
    }
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final Clock clock;
  private final Map<String, Principal> principals = new ConcurrentHashMap<>();
  private final AtomicInteger requests = new AtomicInteger();
  private volatile Canned canned;

  public TestSts(Clock clock) throws IOException {
    this.clock = clock;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  public TestSts add(Principal principal) {
    principals.put(principal.credentials().accessKeyId(), principal);
    return this;
  }

  /** {@code http://127.0.0.1:<port>/}. */
  public String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
  }

  /** How many requests reached this server. */
  public int requests() {
    return requests.get();
  }

  /** Answers every following request with {@code answer} (null: verify again). */
  public void answerWith(Canned answer) {
    this.canned = answer;
  }

  /** Forgets canned answers and the request count. */
  public void reset() {
    canned = null;
    requests.set(0);
  }

  public static String successXml(String arn, String userId, String account) {
    return """
        <GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <GetCallerIdentityResult>
            <Arn>%s</Arn>
            <UserId>%s</UserId>
            <Account>%s</Account>
          </GetCallerIdentityResult>
          <ResponseMetadata>
            <RequestId>%s</RequestId>
          </ResponseMetadata>
        </GetCallerIdentityResponse>
        """.formatted(arn, userId, account, UUID.randomUUID());
  }

  public static String errorXml(String type, String code, String message) {
    return """
        <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <Error>
            <Type>%s</Type>
            <Code>%s</Code>
            <Message>%s</Message>
          </Error>
          <RequestId>%s</RequestId>
        </ErrorResponse>
        """.formatted(type, code, message, UUID.randomUUID());
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      requests.incrementAndGet();
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readNBytes(64 * 1024);
      }
      Canned answer = canned;
      if (answer != null) {
        sleep(answer.delay());
        answer.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        respond(exchange, answer.status(), answer.body());
        return;
      }
      Map.Entry<Integer, String> result = verify(exchange, body);
      respond(exchange, result.getKey(), result.getValue());
    }
  }

  /** STS's checks, in STS's order, with STS's error codes and messages. */
  private Map.Entry<Integer, String> verify(HttpExchange exchange, byte[] body) {
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    if (authorization == null) {
      return error(403, "MissingAuthenticationToken", "Request is missing Authentication Token");
    }
    Matcher auth = AUTH.matcher(authorization);
    if (!auth.matches()) {
      return error(400, "IncompleteSignature", "Authorization header requires existence of either a 'X-Amz-Date' "
          + "or a 'Date' header.");
    }
    Principal principal = principals.get(auth.group(1));
    if (principal == null) {
      return error(403, "InvalidClientTokenId", "The security token included in the request is invalid.");
    }
    if (!REGION.equals(auth.group(3)) || !"sts".equals(auth.group(4))) {
      return error(403, "SignatureDoesNotMatch", "Credential should be scoped to a valid region.");
    }
    String amzDate = exchange.getRequestHeaders().getFirst("X-Amz-Date");
    Optional<Instant> signedAt = parse(amzDate);
    if (signedAt.isEmpty()) {
      return error(400, "IncompleteSignature", "Date must be in ISO-8601 'basic format'.");
    }
    Instant now = clock.instant();
    if (signedAt.get().isBefore(now.minus(STS_WINDOW)) || signedAt.get().isAfter(now.plus(STS_WINDOW))) {
      return error(403, "SignatureDoesNotMatch", "Signature expired: " + amzDate + " is now earlier than "
          + AMZ_DATE.format(LocalDateTime.ofInstant(now.minus(STS_WINDOW), ZoneOffset.UTC)));
    }
    Map<String, String> signed = new LinkedHashMap<>();
    for (String name : auth.group(5).split(";")) {
      List<String> values = exchange.getRequestHeaders().get(name);
      if (values == null) {
        return error(403, "SignatureDoesNotMatch", SIGNATURE_MISMATCH);
      }
      signed.put(name, String.join(",", values));
    }
    String canonical = SigV4.canonicalRequest(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
        Optional.ofNullable(exchange.getRequestURI().getRawQuery()).orElse(""), signed, body);
    String expected = SigV4.signature(principal.credentials().secretKey(), amzDate, REGION, "sts", canonical);
    if (!expected.equals(auth.group(6)) || !auth.group(2).equals(amzDate.substring(0, 8))) {
      return error(403, "SignatureDoesNotMatch", SIGNATURE_MISMATCH);
    }
    String token = exchange.getRequestHeaders().getFirst("X-Amz-Security-Token");
    if (!java.util.Objects.equals(token, principal.credentials().sessionToken())) {
      return error(403, "InvalidClientTokenId", "The security token included in the request is invalid.");
    }
    if (principal.tokenExpired()) {
      return error(403, "ExpiredToken", "The security token included in the request is expired");
    }
    if (!new String(body, StandardCharsets.UTF_8).equals(TestAwsSigner.GET_CALLER_IDENTITY)
        && !new String(body, StandardCharsets.UTF_8).equals("Version=2011-06-15&Action=GetCallerIdentity")) {
      return error(400, "InvalidAction", "Could not find operation for this request");
    }
    return Map.entry(200, successXml(principal.arn(), principal.userId(), principal.account()));
  }

  private static final String SIGNATURE_MISMATCH = "The request signature we calculated does not match the "
      + "signature you provided. Check your AWS Secret Access Key and signing method. Consult the service "
      + "documentation for details.";

  private static Map.Entry<Integer, String> error(int status, String code, String message) {
    return Map.entry(status, errorXml("Sender", code, message));
  }

  private static Optional<Instant> parse(String amzDate) {
    try {
      return amzDate == null ? Optional.empty()
          : Optional.of(LocalDateTime.parse(amzDate, AMZ_DATE).toInstant(ZoneOffset.UTC));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/xml");
    exchange.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
