package dev.minter.attest.aws.iam;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.minter.policy.Glob;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code attestors.aws_iam} settings.
 *
 * @param stsEndpoint the one STS URL signed requests may name and Minter forwards to, e.g.
 *     {@code https://sts.amazonaws.com/} or {@code https://sts.eu-west-1.amazonaws.com/} (required)
 * @param serverId the value agents must put in the signed {@code x-minter-server-id} header (required); binds each
 *     request to this Minter so one captured by, or made for, another service is useless here
 * @param accounts AWS account IDs whose principals may attest (required, non-empty)
 * @param roleArns optional globs ({@link Glob}) over the caller's principal ARN; when set, a caller matching none is
 *     refused
 * @param maxAge how old a request's {@code X-Amz-Date} may be (default 5m, at most 15m: STS's own limit)
 * @param timeout how long to wait for STS (default 5s)
 * @param allowHttpLoopback accept a plain-http endpoint on a loopback address (tests, a local signing proxy);
 *     never for anything that crosses a network, since STS's answer is the whole proof
 */
public record AwsIamConfig(
    @JsonProperty("sts_endpoint") String stsEndpoint,
    @JsonProperty("server_id") String serverId,
    @JsonProperty("accounts") List<String> accounts,
    @JsonProperty("role_arns") List<String> roleArns,
    @JsonProperty("max_age") Duration maxAge,
    @JsonProperty("timeout") Duration timeout,
    @JsonProperty("allow_http_loopback") Boolean allowHttpLoopback) {
  /** STS refuses requests signed more than 15 minutes ago; a longer window would only widen replay exposure. */
  public static final Duration MAX_MAX_AGE = Duration.ofMinutes(15);

  private static final Pattern ACCOUNT = Pattern.compile("[0-9]{12}");
  private static final Pattern SERVER_ID = Pattern.compile("[\\x21-\\x7e]{1,128}");
  private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "[::1]");

  public AwsIamConfig {
    stsEndpoint = endpoint(stsEndpoint, Boolean.TRUE.equals(allowHttpLoopback));
    if (serverId == null || !SERVER_ID.matcher(serverId).matches()) {
      throw new IllegalArgumentException(
          "server_id: " + (serverId == null ? "missing" : "'" + serverId + "'")
              + " (expected: 1-128 printable ASCII characters without spaces)");
    }
    if (accounts == null || accounts.isEmpty()) {
      throw new IllegalArgumentException("accounts: missing or empty (expected: at least one 12-digit AWS account ID)");
    }
    for (String account : accounts) {
      if (account == null || !ACCOUNT.matcher(account).matches()) {
        throw new IllegalArgumentException("accounts: '" + account + "' (expected: a 12-digit AWS account ID)");
      }
    }
    accounts = List.copyOf(accounts);
    roleArns = roleArns == null ? List.of() : List.copyOf(roleArns);
    for (String glob : roleArns) {
      if (!glob.startsWith("arn:")) {
        throw new IllegalArgumentException("role_arns: '" + glob + "' (expected: a glob over ARNs, starting with arn:)");
      }
    }
    maxAge = maxAge == null ? Duration.ofMinutes(5) : maxAge;
    if (maxAge.isNegative() || maxAge.isZero() || maxAge.compareTo(MAX_MAX_AGE) > 0) {
      throw new IllegalArgumentException("max_age: " + maxAge + " (expected: > 0 and <= " + MAX_MAX_AGE + ")");
    }
    timeout = timeout == null ? Duration.ofSeconds(5) : timeout;
    if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofMinutes(1)) > 0) {
      throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0 and <= PT1M)");
    }
    allowHttpLoopback = Boolean.TRUE.equals(allowHttpLoopback);
  }

  /** The endpoint as a URI (already validated). */
  public URI endpointUri() {
    return URI.create(stsEndpoint);
  }

  /** The role allow-list compiled; empty means "any principal of an allowed account". */
  public List<Glob> roleGlobs() {
    return roleArns.stream().map(Glob::compile).toList();
  }

  /** Validates and normalizes the endpoint: https (or loopback http when allowed), no userinfo/query/fragment. */
  private static String endpoint(String value, boolean allowHttpLoopback) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("sts_endpoint: missing (expected e.g. https://sts.amazonaws.com/)");
    }
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("sts_endpoint: '" + value + "' is not a URL");
    }
    String scheme = uri.getScheme();
    String host = uri.getHost();
    if (host == null || uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException(
          "sts_endpoint: '" + value + "' (expected: scheme://host[:port]/path with no user, query or fragment)");
    }
    boolean httpOk = "http".equals(scheme) && allowHttpLoopback && LOOPBACK.contains(host);
    if (!"https".equals(scheme) && !httpOk) {
      throw new IllegalArgumentException("sts_endpoint: '" + value + "' (expected: https; plain http only on a "
          + "loopback address with allow_http_loopback: true)");
    }
    int defaultPort = "https".equals(scheme) ? 443 : 80;
    if (uri.getPort() == defaultPort) {
      // The HTTP client omits a default port from Host, so a signer that included it would never match.
      throw new IllegalArgumentException("sts_endpoint: '" + value + "' (write it without the default port)");
    }
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    return scheme + "://" + uri.getRawAuthority() + path;
  }
}
