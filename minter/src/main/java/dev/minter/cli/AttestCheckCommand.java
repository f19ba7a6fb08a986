package dev.minter.cli;

import dev.minter.MinterServer;
import dev.minter.attest.AttestationResult;
import dev.minter.attest.Attestors;
import dev.minter.attest.Evidence;
import dev.minter.attest.InMemoryTofuPins;
import dev.minter.attest.bundle.TrustBundles;
import dev.minter.attest.NonceStore;
import dev.minter.config.ConfigLoader;
import dev.minter.config.MinterConfig;
import dev.minter.tls.Pem;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code minter attest check}: runs one piece of evidence through the same attestors the server builds from the same
 * configuration, and prints the identity it yields or exactly why it is rejected. Nothing is written anywhere: the
 * replay and nonce state are this process's own, so single-use evidence is not used up.
 */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = {
      "Print the identity a piece of evidence yields, or exactly why the server would reject it.",
      "Uses the server's configuration and the same verification code. Nonce-bound evidence (azure_imds) is",
      "rejected here because this process did not issue the nonce."
    },
    footer = {
      "",
      "Examples:",
      "  minter attest check --config minter.yaml --kind jwt_svid --evidence token.jwt",
      "  minter attest check --config minter.yaml --kind x509_svid --evidence svid.pem",
      "",
      "Exit codes: 0 verified; 2 rejected; 1 the command could not run (bad config, unreadable file)."
    })
public final class AttestCheckCommand implements Callable<Integer> {
  @Option(names = "--config", defaultValue = "${env:MINTER_CONFIG:-minter.yaml}", description = "Server configuration.")
  Path config;

  @Option(names = "--kind", required = true, description = "Evidence kind, e.g. x509_svid, jwt_svid, aws_iid.")
  String kind;

  @Option(
      names = "--evidence",
      required = true,
      description = "File with the evidence: for x509_svid a PEM chain (leaf first), otherwise the raw payload.")
  Path evidence;

  @Override
  public Integer call() throws Exception {
    MinterConfig loaded = ConfigLoader.load(config);
    Clock clock = Clock.systemUTC();
    try (HttpClient http = HttpClient.newHttpClient();
        TrustBundles trust = MinterServer.trustBundles(loaded, http, clock)) {
      // In-memory pins: a check must not move the server's trust-on-first-use records.
      Attestors attestors =
          MinterServer.attestors(loaded, clock, new NonceStore(clock, 16), http, new InMemoryTofuPins(), trust);
      Evidence e =
          kind.equals("x509_svid")
              ? Evidence.tlsClientChain(Pem.readCertificates(evidence))
              : new Evidence(kind, Files.readAllBytes(evidence), List.of());
      AttestationResult result = attestors.attest(e);
      return switch (result) {
        case AttestationResult.Verified verified -> {
          System.out.println("verified: " + verified.identity().id());
          System.out.println("  attestor: " + verified.identity().attestorKind());
          Map<String, String> claims = new TreeMap<>(verified.identity().claims());
          claims.forEach((k, v) -> System.out.println("  " + k + ": " + v));
          yield 0;
        }
        case AttestationResult.Rejected rejected -> {
          System.out.println("rejected (" + rejected.failure().name().toLowerCase() + "): " + rejected.reason());
          yield 2;
        }
      };
    }
  }
}
