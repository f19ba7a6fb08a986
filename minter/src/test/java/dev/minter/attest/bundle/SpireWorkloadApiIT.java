package dev.minter.attest.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.AsymmetricJWK;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.SignedJWT;
import dev.minter.attest.jwt.JwkSource;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.spiffe.workloadapi.grpc.SpiffeWorkloadAPIGrpc;
import io.spiffe.workloadapi.grpc.Workload.JWTSVIDRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Against a real SPIRE server and agent (built from SPIRE's Go module by deploy/local/spire.sh, started with join
 * token node attestation and the unix workload attestor, with this test process registered by its uid): bundles
 * arrive over the Workload API, and a JWT-SVID the agent issues verifies against the JWT bundle from this source.
 * Fails, never skips, when SPIRE cannot be built or started.
 */
class SpireWorkloadApiIT {
  private static final String TD = "minter.local";
  private static Path repoRoot;
  private static Path state;
  private static Map<String, String> env;

  @BeforeAll
  static void startSpire() throws Exception {
    repoRoot = findRepoRoot();
    Path module = repoRoot.resolve("minter");
    state = module.resolve("target/it-spire");
    Files.createDirectories(state);
    String out = spire("start", Duration.ofMinutes(20));
    env = new HashMap<>();
    for (String line : out.split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0 && line.startsWith("SPI")) {
        env.put(line.substring(0, eq), line.substring(eq + 1).strip());
      }
    }
    assertThat(env).containsKey("SPIFFE_ENDPOINT_SOCKET");
  }

  @AfterAll
  static void stopSpire() throws Exception {
    if (state != null) {
      spire("stop", Duration.ofMinutes(1));
    }
  }

  @Test
  void workloadApi_realSpire_bundlesArriveAndAgentJwtSvidVerifiesAgainstThem() throws Exception {
    String socket = env.get("SPIFFE_ENDPOINT_SOCKET");
    try (WorkloadApiBundleSource source = WorkloadApiBundleSource.connect(socket)) {
      // Until the agent has synced this process's registration it answers PermissionDenied; the source retries.
      assertThat(source.awaitBundles(Duration.ofSeconds(90))).as("bundles from the SPIRE agent").isTrue();
      assertThat(source.bundleFor(TD)).hasValueSatisfying(roots -> assertThat(roots).isNotEmpty());
      JwkSource keys = source.jwtBundleFor(TD).orElseThrow();

      String token = fetchJwtSvid(socket, "minter-test");
      SignedJWT jwt = SignedJWT.parse(token);
      JWK key = keys.find(jwt.getHeader().getKeyID()).orElseThrow();
      JWSVerifier verifier = new DefaultJWSVerifierFactory()
          .createJWSVerifier(jwt.getHeader(), ((AsymmetricJWK) key).toPublicKey());

      assertThat(jwt.verify(verifier)).isTrue();
      assertThat(jwt.getJWTClaimsSet().getSubject()).isEqualTo(env.get("SPIRE_WORKLOAD_ID"));
      assertThat(jwt.getJWTClaimsSet().getAudience()).containsExactly("minter-test");
      assertThat(keys.find("not-a-spire-kid")).isEmpty();
    }
  }

  private static String fetchJwtSvid(String socket, String audience) {
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("workload.spiffe.io", Metadata.ASCII_STRING_MARSHALLER), "true");
    ManagedChannel channel = Grpc.newChannelBuilder(socket, InsecureChannelCredentials.create()).build();
    try {
      var stub = SpiffeWorkloadAPIGrpc.newBlockingStub(channel)
          .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
      String[] token = new String[1];
      await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
        token[0] = stub.withDeadlineAfter(5, TimeUnit.SECONDS)
            .fetchJWTSVID(JWTSVIDRequest.newBuilder().addAudience(audience).build())
            .getSvids(0).getSvid();
        return true;
      });
      return token[0];
    } finally {
      channel.shutdownNow();
    }
  }

  private static String spire(String command, Duration timeout) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(List.of(repoRoot.resolve("deploy/local/spire.sh").toString(), command,
        "--state", state.toString()))
        .redirectErrorStream(true)
        .start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("deploy/local/spire.sh " + command + " failed:\n"
          + new String(out, StandardCharsets.UTF_8));
    }
    return new String(out, StandardCharsets.UTF_8);
  }

  private static Path findRepoRoot() {
    Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    while (dir != null && !Files.isRegularFile(dir.resolve("deploy/local/spire.sh"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("deploy/local/spire.sh not found above " + System.getProperty("user.dir"));
    }
    return dir;
  }
}
