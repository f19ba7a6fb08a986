package dev.minter.attest;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/** An {@link AttestorEnvironment} for unit tests: the given clock, 30 s skew, a fresh replay guard, no X.509 trust. */
public final class TestEnvironments {
  public static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private TestEnvironments() {}

  public static AttestorEnvironment of(Clock clock, Path baseDir) {
    return new AttestorEnvironment(
        clock,
        Duration.ofSeconds(30),
        new InMemoryReplayGuard(clock, 10_000),
        new NonceStore(clock, 100),
        HTTP,
        "minter.local",
        td -> Optional.empty(),
        baseDir);
  }
}
