package dev.minter.attest.bundle;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import dev.minter.attest.JwtBundleSource;
import dev.minter.attest.SpiffeId;
import dev.minter.attest.X509BundleSource;
import dev.minter.attest.jwt.JwkSource;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.spiffe.workloadapi.grpc.SpiffeWorkloadAPIGrpc;
import io.spiffe.workloadapi.grpc.Workload.JWTBundlesRequest;
import io.spiffe.workloadapi.grpc.Workload.JWTBundlesResponse;
import io.spiffe.workloadapi.grpc.Workload.X509BundlesRequest;
import io.spiffe.workloadapi.grpc.Workload.X509BundlesResponse;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * X.509 and JWT bundles streamed from the SPIFFE Workload API (a SPIRE agent's socket) when Minter itself runs
 * under SPIRE: its own trust domain and every domain it federates with, rotated by the agent without a restart.
 *
 * <p>Speaks the Workload API through java-spiffe's generated stub ({@code io.spiffe.workloadapi.grpc}) over
 * grpc-netty-shaded's unix-socket transport. (java-spiffe's {@code DefaultWorkloadApiClient} would need its
 * separate {@code grpc-netty-linux} artifact and unshaded Netty.) Each stream update replaces the whole set, as
 * the spec defines; an update that cannot be parsed, a broken stream or an agent restart keeps the last good
 * bundles while the stream is re-opened with backoff.
 */
public final class WorkloadApiBundleSource implements X509BundleSource, JwtBundleSource, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WorkloadApiBundleSource.class);
  private static final Metadata.Key<String> SECURITY_HEADER =
      Metadata.Key.of("workload.spiffe.io", Metadata.ASCII_STRING_MARSHALLER);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private final ManagedChannel channel;
  private final SpiffeWorkloadAPIGrpc.SpiffeWorkloadAPIStub stub;
  private final ScheduledExecutorService retry;
  private final CountDownLatch x509Ready = new CountDownLatch(1);
  private final CountDownLatch jwtReady = new CountDownLatch(1);
  private volatile Map<String, Set<X509Certificate>> x509 = Map.of();
  private volatile Map<String, PublicJwkSet> jwt = Map.of();
  private volatile boolean closed;

  private WorkloadApiBundleSource(String target) {
    Metadata headers = new Metadata();
    headers.put(SECURITY_HEADER, "true");
    this.channel = Grpc.newChannelBuilder(target, InsecureChannelCredentials.create()).build();
    this.stub = SpiffeWorkloadAPIGrpc.newStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    this.retry = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "minter-workload-api");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Connects to the Workload API at {@code endpointSocket} (the SPIFFE_ENDPOINT_SOCKET form: {@code unix:///path}
   * or {@code unix:/path}) and starts watching both bundle streams. Returns at once; see {@link #awaitBundles}.
   */
  public static WorkloadApiBundleSource connect(String endpointSocket) {
    requireNonNull(endpointSocket, "endpointSocket");
    if (!endpointSocket.startsWith("unix:/")) {
      throw new IllegalArgumentException("Workload API endpoint " + JsonDocs.quote(endpointSocket)
          + " (expected: unix:///path/to/agent.sock)");
    }
    WorkloadApiBundleSource source = new WorkloadApiBundleSource(endpointSocket);
    source.watchX509(Duration.ofSeconds(1));
    source.watchJwt(Duration.ofSeconds(1));
    return source;
  }

  /** Waits until both an X.509 and a JWT bundle update have arrived; false on timeout. */
  public boolean awaitBundles(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    return x509Ready.await(timeout.toNanos(), TimeUnit.NANOSECONDS)
        && jwtReady.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
  }

  @Override
  public Optional<Set<X509Certificate>> bundleFor(String trustDomain) {
    return Optional.ofNullable(x509.get(trustDomain));
  }

  @Override
  public Optional<JwkSource> jwtBundleFor(String trustDomain) {
    return jwt.containsKey(trustDomain)
        ? Optional.of(kid -> Optional.ofNullable(jwt.get(trustDomain)).flatMap(set -> set.find(kid)))
        : Optional.empty();
  }

  @Override
  public void close() {
    closed = true;
    retry.shutdownNow();
    channel.shutdownNow();
  }

  private void watchX509(Duration backoff) {
    stub.fetchX509Bundles(X509BundlesRequest.getDefaultInstance(), observer("X.509 bundles", backoff,
        (X509BundlesResponse r) -> {
          Map<String, Set<X509Certificate>> parsed = new HashMap<>();
          r.getBundlesMap().forEach((key, der) -> trustDomain(key).ifPresent(td -> parseDer(td, der)
              .ifPresent(certs -> parsed.put(td, certs))));
          x509 = Map.copyOf(parsed);
          x509Ready.countDown();
          log.info("Workload API X.509 bundles updated: {}", parsed.keySet());
        }, this::watchX509));
  }

  private void watchJwt(Duration backoff) {
    stub.fetchJWTBundles(JWTBundlesRequest.getDefaultInstance(), observer("JWT bundles", backoff,
        (JWTBundlesResponse r) -> {
          Map<String, PublicJwkSet> parsed = new HashMap<>();
          r.getBundlesMap().forEach((key, jwks) -> trustDomain(key).ifPresent(td -> {
            try {
              parsed.put(td, PublicJwkSet.parse(jwks.toByteArray()));
            } catch (BundleFormatException e) {
              log.warn("Workload API JWT bundle for '{}' is not usable ({}); keeping the previous one", td,
                  e.getMessage());
              Optional.ofNullable(jwt.get(td)).ifPresent(old -> parsed.put(td, old));
            }
          }));
          jwt = Map.copyOf(parsed);
          jwtReady.countDown();
          log.info("Workload API JWT bundles updated: {}", parsed.keySet());
        }, this::watchJwt));
  }

  private <R> StreamObserver<R> observer(
      String what, Duration backoff, Consumer<R> onUpdate, Consumer<Duration> reopen) {
    return new StreamObserver<>() {
      private volatile boolean received;

      @Override
      public void onNext(R response) {
        received = true;
        onUpdate.accept(response);
      }

      @Override
      public void onError(Throwable t) {
        again(t.getMessage());
      }

      @Override
      public void onCompleted() {
        again("stream ended");
      }

      private void again(String why) {
        if (closed) {
          return;
        }
        // A stream that delivered updates was healthy: start over at one second; otherwise back off.
        Duration next = received ? Duration.ofSeconds(1) : min(backoff.multipliedBy(2), MAX_BACKOFF);
        log.warn("Workload API {} stream: {}; keeping the last bundles, retrying in {}", what, why, next);
        retry.schedule(() -> reopen.accept(next), next.toMillis(), TimeUnit.MILLISECONDS);
      }
    };
  }

  private static Optional<String> trustDomain(String key) {
    // The spec keys bundles by trust domain ID (spiffe://example.org); accept the bare name too.
    try {
      String td = key.startsWith("spiffe://") ? SpiffeId.parse(key).trustDomain() : key;
      if (SpiffeId.isValidTrustDomain(td) && (!key.startsWith("spiffe://") || SpiffeId.parse(key).isTrustDomainId())) {
        return Optional.of(td);
      }
    } catch (IllegalArgumentException e) {
      // fall through
    }
    log.warn("Workload API sent a bundle for {}, which is not a trust domain; ignored", JsonDocs.quote(key));
    return Optional.empty();
  }

  private Optional<Set<X509Certificate>> parseDer(String td, ByteString der) {
    try {
      Set<X509Certificate> certs = new LinkedHashSet<>();
      for (var c : CertificateFactory.getInstance("X.509").generateCertificates(der.newInput())) {
        certs.add((X509Certificate) c);
      }
      if (!certs.isEmpty()) {
        return Optional.of(Set.copyOf(certs));
      }
    } catch (CertificateException | RuntimeException e) {
      log.warn("Workload API X.509 bundle for '{}' cannot be parsed ({})", td, e.getMessage());
    }
    return Optional.ofNullable(x509.get(td));
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
