package dev.minter.attest.aws.iam;

import static java.util.Objects.requireNonNull;

import dev.minter.attest.aws.iam.SignedStsRequest.Header;
import dev.minter.net.LimitedBody;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends a checked request to STS, exactly as the agent signed it, and returns STS's status and (bounded) body. The
 * whole exchange, body included, is bounded by the timeout; a body larger than {@link #MAX_RESPONSE_BYTES} is cut
 * off, since a real {@code GetCallerIdentity} answer is well under 1 KiB.
 */
public final class StsClient {
  public static final int MAX_RESPONSE_BYTES = 16 * 1024;

  private final HttpClient http;
  private final URI endpoint;
  private final Duration timeout;

  public StsClient(HttpClient http, URI endpoint, Duration timeout) {
    this.http = requireNonNull(http, "http");
    this.endpoint = requireNonNull(endpoint, "endpoint");
    this.timeout = requireNonNull(timeout, "timeout");
  }

  /** STS's answer; any failure to get one (refused, timed out, oversized) is an untrusted-evidence rejection. */
  public Answer send(byte[] body, List<Header> headers) throws IamRejection {
    HttpRequest.Builder builder = HttpRequest.newBuilder(endpoint)
        .version(HttpClient.Version.HTTP_1_1)
        .timeout(timeout)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    try {
      for (Header header : headers) {
        builder.header(header.name(), header.value());
      }
    } catch (IllegalArgumentException e) {
      throw IamRejection.malformed("a request header cannot be sent over HTTP (restricted name or bad value)");
    }
    CompletableFuture<HttpResponse<byte[]>> future =
        http.sendAsync(builder.build(), LimitedBody.handler(MAX_RESPONSE_BYTES));
    try {
      HttpResponse<byte[]> response = future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return new Answer(response.statusCode(), response.body());
    } catch (TimeoutException e) {
      future.cancel(true);
      throw IamRejection.untrusted("STS at '" + endpoint + "' did not answer within " + timeout);
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw IamRejection.untrusted("interrupted while waiting for STS");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof HttpTimeoutException) {
        throw IamRejection.untrusted("STS at '" + endpoint + "' did not answer within " + timeout);
      }
      if (e.getCause() instanceof LimitedBody.TooLarge) {
        throw IamRejection.untrusted("STS answer is larger than " + MAX_RESPONSE_BYTES + " bytes");
      }
      throw IamRejection.untrusted("STS at '" + endpoint + "' could not be reached ("
          + e.getCause().getClass().getSimpleName() + ")");
    }
  }

  /** STS's HTTP status and body. */
  public record Answer(int status, byte[] body) {
    public Answer {
      body = requireNonNull(body, "body").clone();
    }

    @Override
    public byte[] body() {
      return body.clone();
    }
  }
}
