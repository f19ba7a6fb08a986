package dev.minter.attest.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.minter.attest.TestClock;
import dev.minter.tls.DevCa;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.StreamObserver;
import io.spiffe.workloadapi.grpc.SpiffeWorkloadAPIGrpc;
import io.spiffe.workloadapi.grpc.Workload.JWTBundlesRequest;
import io.spiffe.workloadapi.grpc.Workload.JWTBundlesResponse;
import io.spiffe.workloadapi.grpc.Workload.X509BundlesRequest;
import io.spiffe.workloadapi.grpc.Workload.X509BundlesResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against a Workload API server speaking the real protocol over a real unix socket (SPIRE itself: the IT). */
class WorkloadApiBundleSourceTest {
  @TempDir Path dir;
  private final TestClock clock = Fixtures.clock();
  private final FakeAgent agent = new FakeAgent();
  private EventLoopGroup loop;
  private Server server;
  private WorkloadApiBundleSource source;

  @BeforeEach
  void setUp() throws Exception {
    Path socket = dir.resolve("agent.sock");
    loop = new EpollEventLoopGroup(1);
    server = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
        .channelType(EpollServerDomainSocketChannel.class)
        .bossEventLoopGroup(loop)
        .workerEventLoopGroup(loop)
        .addService(ServerInterceptors.intercept(agent, new RequireSecurityHeader()))
        .build()
        .start();
  }

  /** Connects after the test has set what the agent serves first. */
  private WorkloadApiBundleSource connect() {
    source = WorkloadApiBundleSource.connect("unix://" + dir.resolve("agent.sock"));
    return source;
  }

  @AfterEach
  void tearDown() {
    if (source != null) {
      source.close();
    }
    server.shutdownNow();
    loop.shutdownGracefully();
  }

  @Test
  void connect_agentStreamsBundles_x509AndJwtAuthoritiesPerTrustDomain() throws Exception {
    DevCa own = Fixtures.ca("minter.local", clock);
    DevCa fed = Fixtures.ca("fed.example", clock);
    ECKey k1 = Fixtures.ecKey("k1");
    agent.x509 = X509BundlesResponse.newBuilder()
        .putBundles("spiffe://minter.local", der(own))
        .putBundles("spiffe://fed.example", der(fed))
        .build();
    agent.jwt = JWTBundlesResponse.newBuilder().putBundles("spiffe://minter.local", jwks(k1)).build();

    assertThat(connect().awaitBundles(Duration.ofSeconds(10))).isTrue();

    assertThat(source.bundleFor("minter.local")).hasValue(Set.of(own.certificate()));
    assertThat(source.bundleFor("fed.example")).hasValue(Set.of(fed.certificate()));
    assertThat(source.jwtBundleFor("minter.local").orElseThrow().find("k1")).isPresent();
    assertThat(source.jwtBundleFor("fed.example")).isEmpty();
    assertThat(source.bundleFor("other.example")).isEmpty();
  }

  @Test
  void update_rotatedBundles_replaceTheOldOnesWithoutRestart() throws Exception {
    DevCa ca1 = Fixtures.ca("minter.local", clock);
    DevCa ca2 = Fixtures.ca("minter.local", clock);
    agent.x509 = X509BundlesResponse.newBuilder().putBundles("spiffe://minter.local", der(ca1)).build();
    agent.jwt = JWTBundlesResponse.newBuilder().putBundles("spiffe://minter.local", jwks(Fixtures.ecKey("k1"))).build();
    assertThat(connect().awaitBundles(Duration.ofSeconds(10))).isTrue();
    var keys = source.jwtBundleFor("minter.local").orElseThrow();

    agent.push(X509BundlesResponse.newBuilder().putBundles("spiffe://minter.local", der(ca2)).build(),
        JWTBundlesResponse.newBuilder().putBundles("spiffe://minter.local", jwks(Fixtures.ecKey("k2"))).build());

    await().atMost(Duration.ofSeconds(10)).until(() -> keys.find("k2").isPresent());
    assertThat(keys.find("k1")).isEmpty();
    assertThat(source.bundleFor("minter.local")).hasValue(Set.of(ca2.certificate()));
  }

  @Test
  void update_unparseableJwtBundle_keepsTheLastGoodOne() throws Exception {
    agent.x509 = X509BundlesResponse.newBuilder().putBundles("spiffe://minter.local",
        der(Fixtures.ca("minter.local", clock))).build();
    agent.jwt = JWTBundlesResponse.newBuilder().putBundles("spiffe://minter.local", jwks(Fixtures.ecKey("k1"))).build();
    assertThat(connect().awaitBundles(Duration.ofSeconds(10))).isTrue();

    agent.push(null, JWTBundlesResponse.newBuilder().putBundles("spiffe://minter.local",
        ByteString.copyFromUtf8("{\"keys\":[{\"kty\":\"oct\",\"kid\":\"h\",\"k\":\"c2VjcmV0\"}]}")).build());
    Thread.sleep(300);

    assertThat(source.jwtBundleFor("minter.local").orElseThrow().find("k1")).isPresent();
    assertThat(source.jwtBundleFor("minter.local").orElseThrow().find("h")).isEmpty();
  }

  @Test
  void connect_notAUnixSocketAddress_refused() {
    assertThatThrownBy(() -> WorkloadApiBundleSource.connect("tcp://127.0.0.1:8081"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unix:///");
  }

  private static ByteString der(DevCa ca) throws Exception {
    return ByteString.copyFrom(ca.certificate().getEncoded());
  }

  private static ByteString jwks(ECKey key) {
    return ByteString.copyFromUtf8(new JWKSet(List.<JWK>of(key)).toString());
  }

  /** The Workload API's two bundle streams, as a SPIRE agent serves them. */
  private static final class FakeAgent extends SpiffeWorkloadAPIGrpc.SpiffeWorkloadAPIImplBase {
    volatile X509BundlesResponse x509 = X509BundlesResponse.getDefaultInstance();
    volatile JWTBundlesResponse jwt = JWTBundlesResponse.getDefaultInstance();
    final List<StreamObserver<X509BundlesResponse>> x509Watchers = new CopyOnWriteArrayList<>();
    final List<StreamObserver<JWTBundlesResponse>> jwtWatchers = new CopyOnWriteArrayList<>();

    @Override
    public void fetchX509Bundles(X509BundlesRequest request, StreamObserver<X509BundlesResponse> out) {
      x509Watchers.add(out);
      out.onNext(x509);
    }

    @Override
    public void fetchJWTBundles(JWTBundlesRequest request, StreamObserver<JWTBundlesResponse> out) {
      jwtWatchers.add(out);
      out.onNext(jwt);
    }

    void push(X509BundlesResponse newX509, JWTBundlesResponse newJwt) {
      if (newX509 != null) {
        x509Watchers.forEach(w -> w.onNext(newX509));
      }
      if (newJwt != null) {
        jwtWatchers.forEach(w -> w.onNext(newJwt));
      }
    }
  }

  /** SPIRE refuses calls without the {@code workload.spiffe.io: true} header (an SSRF defence); so do we. */
  private static final class RequireSecurityHeader implements ServerInterceptor {
    private static final Metadata.Key<String> KEY = Metadata.Key.of("workload.spiffe.io", Metadata.ASCII_STRING_MARSHALLER);

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
      if (!"true".equals(headers.get(KEY))) {
        call.close(Status.INVALID_ARGUMENT.withDescription("security header missing"), new Metadata());
        return new ServerCall.Listener<>() {};
      }
      return next.startCall(call, headers);
    }
  }
}
