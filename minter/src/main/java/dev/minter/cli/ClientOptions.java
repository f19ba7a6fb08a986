package dev.minter.cli;

import dev.minter.client.MinterChannels;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How a CLI command reaches the Minter server: flags, or MINTER_* environment variables. */
public final class ClientOptions {
  @Option(
      names = "--addr",
      defaultValue = "${env:MINTER_ADDR:-127.0.0.1:8443}",
      description = "Minter server host:port (env MINTER_ADDR; default ${DEFAULT-VALUE}).")
  String addr;

  @Option(
      names = "--cert",
      defaultValue = "${env:MINTER_CERT}",
      description = "Your X.509-SVID certificate, PEM (env MINTER_CERT).")
  Path cert;

  @Option(
      names = "--key",
      defaultValue = "${env:MINTER_KEY}",
      description = "Its private key, PEM/PKCS#8 (env MINTER_KEY).")
  Path key;

  @Option(
      names = "--ca",
      defaultValue = "${env:MINTER_CA}",
      description = "CA bundle that signed the server's certificate, PEM (env MINTER_CA).")
  Path ca;

  ManagedChannel channel() {
    if (cert == null || key == null || ca == null) {
      throw new IllegalArgumentException(
          "--cert, --key and --ca (or MINTER_CERT, MINTER_KEY, MINTER_CA) are required to reach the server");
    }
    return MinterChannels.mtls(addr, cert, key, ca);
  }
}
