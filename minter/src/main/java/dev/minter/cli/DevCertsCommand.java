package dev.minter.cli;

import dev.minter.tls.DevCa;
import dev.minter.tls.DevSet;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code minter dev certs}: a development SPIFFE CA, the server's certificate and client X.509-SVIDs. */
@Command(
    name = "certs",
    mixinStandardHelpOptions = true,
    description = {
      "Create (or keep, when still valid) a development SPIFFE CA, the server certificate",
      "(spiffe://<trust domain>/minter, localhost, 127.0.0.1) and client X.509-SVIDs. Idempotent.",
      "The CA key is written next to the certificates: for development only."
    },
    footer = {
      "",
      "Example:",
      "  minter dev certs --out certs --trust-domain minter.local \\",
      "      --svid demo-agent=spiffe://minter.local/agents/demo-agent --svid admin=spiffe://minter.local/operators/admin"
    })
public final class DevCertsCommand implements Callable<Integer> {
  @Option(names = "--out", required = true, description = "Directory for the PEM files.")
  Path out;

  @Option(names = "--trust-domain", defaultValue = "minter.local", description = "SPIFFE trust domain (default ${DEFAULT-VALUE}).")
  String trustDomain;

  @Option(names = "--svid", description = "NAME=SPIFFE_ID of a client SVID to issue (repeatable).")
  List<String> svids = List.of();

  @Override
  public Integer call() throws Exception {
    Map<String, String> leaves = new LinkedHashMap<>();
    for (String svid : svids) {
      int eq = svid.indexOf('=');
      if (eq <= 0 || eq == svid.length() - 1) {
        throw new IllegalArgumentException("--svid '" + svid + "' (expected: NAME=spiffe://trust.domain/path)");
      }
      leaves.put(svid.substring(0, eq), svid.substring(eq + 1));
    }
    DevSet set = DevCa.writeDevSet(out, trustDomain, leaves, Clock.systemUTC());
    System.out.println("dev certs in " + set.dir() + (set.caCreated() ? " (new CA)" : " (existing CA)"));
    System.out.println("  issued: " + set.issued());
    System.out.println("  kept:   " + set.kept());
    return 0;
  }
}
