package dev.minter.cli;

import dev.minter.MinterServer;
import dev.minter.config.ConfigLoader;
import dev.minter.config.MinterConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code minter serve --config F}: runs the Minter server until it is stopped (SIGTERM/SIGINT). */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = "Run the Minter server (gRPC over mutual TLS).",
    footer = {"", "Example:", "  minter serve --config /etc/minter/minter.yaml"})
public final class ServeCommand implements Callable<Integer> {
  @Option(
      names = "--config",
      defaultValue = "${env:MINTER_CONFIG:-minter.yaml}",
      description = "Configuration file (env MINTER_CONFIG; default ${DEFAULT-VALUE}).")
  Path config;

  @Override
  public Integer call() throws Exception {
    MinterConfig loaded = ConfigLoader.load(config);
    MinterServer server = MinterServer.start(loaded);
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "minter-shutdown"));
    System.out.println("minter: serving on " + loaded.listen() + " (port " + server.port() + ")");
    server.awaitTermination();
    return 0;
  }
}
