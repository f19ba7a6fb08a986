package dev.minter.attest.aws.iam;

import static java.util.Objects.requireNonNull;

import dev.minter.attest.aws.iam.SignedStsRequest.Header;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything Minter checks about a signed request <em>before</em> it goes anywhere. STS will verify the signature;
 * these checks make sure that what it verifies is worth something to Minter:
 *
 * <ul>
 *   <li>the request is exactly {@code POST <sts_endpoint>} with body {@code Action=GetCallerIdentity&Version=2011-06-15}
 *       — Minter must never become a proxy that sends other STS calls (an {@code AssumeRole} whose answer carries
 *       credentials) signed by someone else;
 *   <li>the signature covers {@code host}, {@code x-amz-date} and {@code x-minter-server-id}, and the server ID is
 *       this server's — a request signed for another service that uses the same scheme cannot be replayed here;
 *   <li>{@code X-Amz-Date} is within {@code max_age} (+ skew) of now — far tighter than STS's own 15 minutes.
 * </ul>
 */
public final class StsRequestChecks {
  public static final String SERVER_ID_HEADER = "x-minter-server-id";
  static final String AMZ_DATE = "x-amz-date";
  static final String BODY_ACTION = "GetCallerIdentity";
  static final String BODY_VERSION = "2011-06-15";
  private static final DateTimeFormatter AMZ_DATE_FORMAT =
      DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'").withResolverStyle(ResolverStyle.STRICT);
  /** Headers that steer the connection rather than describe the request; Minter's HTTP client owns them. */
  private static final Set<String> HOP_BY_HOP = Set.of(
      "connection", "expect", "upgrade", "transfer-encoding", "te", "trailer", "keep-alive", "proxy-connection",
      "proxy-authorization", "http2-settings");

  private final AwsIamConfig config;
  private final URI endpoint;
  private final Duration skew;

  public StsRequestChecks(AwsIamConfig config, Duration skew) {
    this.config = requireNonNull(config, "config");
    this.endpoint = config.endpointUri();
    this.skew = requireNonNull(skew, "skew");
  }

  /** Checks {@code request} at time {@code now}; returns what to forward and how long it stays acceptable. */
  public Checked check(SignedStsRequest request, Instant now) throws IamRejection {
    if (!"POST".equals(request.method())) {
      throw IamRejection.untrusted(
          "request method is " + IamRejection.quote(request.method()) + " (expected: POST)");
    }
    if (!config.stsEndpoint().equals(request.url())) {
      throw IamRejection.untrusted("request URL " + IamRejection.quote(request.url())
          + " is not the configured STS endpoint '" + config.stsEndpoint() + "'");
    }
    checkBody(request.body());
    SigV4Authorization auth = SigV4Authorization.parse(
        request.header("authorization")
            .orElseThrow(() -> IamRejection.malformed("request has no Authorization header (expected: SigV4)")));
    if (!"sts".equals(auth.service())) {
      throw IamRejection.untrusted("request is signed for service " + IamRejection.quote(auth.service())
          + " (expected: sts)");
    }
    for (String required : List.of("host", AMZ_DATE, SERVER_ID_HEADER)) {
      if (!auth.signedHeaders().contains(required)) {
        throw IamRejection.untrusted("signature does not cover the '" + required + "' header (SignedHeaders must "
            + "include host, x-amz-date and " + SERVER_ID_HEADER + ")");
      }
    }
    for (String signed : auth.signedHeaders()) {
      if (!signed.equals("host") && request.header(signed).isEmpty()) {
        throw IamRejection.malformed("signed header " + IamRejection.quote(signed) + " is not in the request");
      }
    }
    String serverId = request.header(SERVER_ID_HEADER).orElseThrow();
    if (!config.serverId().equals(serverId)) {
      throw IamRejection.untrusted("request is for server ID " + IamRejection.quote(serverId)
          + " (expected this server's: '" + config.serverId() + "')");
    }
    Instant signedAt = signedAt(request.header(AMZ_DATE).orElseThrow());
    if (!auth.date().equals(request.header(AMZ_DATE).orElseThrow().substring(0, 8))) {
      throw IamRejection.untrusted("Authorization credential date " + auth.date() + " is not the X-Amz-Date's day");
    }
    if (signedAt.isBefore(now.minus(config.maxAge()).minus(skew))) {
      throw IamRejection.untrusted("request was signed at " + signedAt + ", more than " + config.maxAge()
          + " (+ " + skew + " skew) before now (" + now + "): sign a fresh one for every call");
    }
    if (signedAt.isAfter(now.plus(skew))) {
      throw IamRejection.untrusted("request is dated " + signedAt + ", in the future (now: " + now + ")");
    }
    return new Checked(auth, signedAt.plus(config.maxAge()).plus(skew), forwardable(request));
  }

  /** The body must be GetCallerIdentity and nothing else: no other Action, no extra or repeated parameters. */
  private static void checkBody(byte[] body) throws IamRejection {
    String text;
    try {
      text = StandardCharsets.US_ASCII.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(body))
          .toString();
    } catch (CharacterCodingException e) {
      throw IamRejection.malformed("request body is not ASCII form data");
    }
    Map<String, String> params = new HashMap<>();
    for (String pair : text.split("&", -1)) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw IamRejection.malformed("request body is not form data (expected: Action=GetCallerIdentity&Version="
            + BODY_VERSION + ")");
      }
      String key;
      String value;
      try {
        key = URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
        value = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw IamRejection.malformed("request body has a bad percent-escape");
      }
      if (params.put(key, value) != null) {
        throw IamRejection.untrusted("request body repeats parameter " + IamRejection.quote(key));
      }
    }
    String action = params.get("Action");
    if (action != null && !BODY_ACTION.equals(action)) {
      throw IamRejection.untrusted("request body is for Action " + IamRejection.quote(action)
          + " (expected: only GetCallerIdentity is ever forwarded)");
    }
    if (!params.equals(Map.of("Action", BODY_ACTION, "Version", BODY_VERSION))) {
      throw IamRejection.untrusted("request body has parameters " + IamRejection.quote(params.keySet().toString())
          + " (expected exactly Action=GetCallerIdentity&Version=" + BODY_VERSION + ")");
    }
  }

  private static Instant signedAt(String amzDate) throws IamRejection {
    try {
      return LocalDateTime.parse(amzDate, AMZ_DATE_FORMAT).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw IamRejection.malformed("X-Amz-Date " + IamRejection.quote(amzDate) + " is not yyyyMMdd'T'HHmmss'Z'");
    }
  }

  /**
   * The headers to send on. Host and Content-Length are not forwarded: the HTTP client derives them from the URL and
   * body that were just checked, so they are only compared here; hop-by-hop headers are refused.
   */
  private List<Header> forwardable(SignedStsRequest request) throws IamRejection {
    List<Header> out = new ArrayList<>();
    for (Map.Entry<String, Header> e : request.headers().entrySet()) {
      String name = e.getKey();
      String value = e.getValue().value();
      if (HOP_BY_HOP.contains(name)) {
        throw IamRejection.malformed("header " + IamRejection.quote(e.getValue().name()) + " may not be forwarded");
      } else if (name.equals("host")) {
        if (!value.equals(endpoint.getRawAuthority())) {
          throw IamRejection.untrusted("Host header " + IamRejection.quote(value) + " is not the STS endpoint's '"
              + endpoint.getRawAuthority() + "'");
        }
      } else if (name.equals("content-length")) {
        if (!value.equals(String.valueOf(request.body().length))) {
          throw IamRejection.malformed("Content-Length header does not match the body");
        }
      } else {
        out.add(e.getValue());
      }
    }
    return out;
  }

  /**
   * A request that passed every local check.
   *
   * @param authorization its parsed Authorization header (the signature is the replay key)
   * @param acceptedUntil after this instant Minter would refuse the request anyway, so a replay record may go
   * @param headers the headers to forward
   */
  public record Checked(SigV4Authorization authorization, Instant acceptedUntil, List<Header> headers) {
    public Checked {
      requireNonNull(authorization, "authorization");
      requireNonNull(acceptedUntil, "acceptedUntil");
      headers = List.copyOf(headers);
    }
  }
}
