package dev.minter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minter.Main;
import dev.minter.tls.CertifiedKey;
import dev.minter.tls.DevCa;
import dev.minter.tls.LeafSpec;
import dev.minter.tls.Pem;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code minter attest check} gives the server's verdict on a piece of evidence, offline. */
class AttestCheckCommandTest {
  @TempDir Path dir;
  DevCa ca;

  @BeforeEach
  void config() throws Exception {
    ca = DevCa.create("corp.example", Duration.ofDays(1), Clock.systemUTC());
    ca.write(dir.resolve("ca.pem"), dir.resolve("ca.key"));
    Files.writeString(
        dir.resolve("minter.yaml"),
        """
        listen: 127.0.0.1:0
        tls: {cert: server.pem, key: server.key}
        trust_domains: {corp.example: ca.pem}
        vault: {address: "http://127.0.0.1:1", token_file: minter.token}
        ledger: {sqlite: ledger.db, key_file: ledger.key}
        audit: {file: audit.jsonl}
        policy: policy.yaml
        """);
  }

  @Test
  void check_validSvid_printsIdentityAndExitsZero() throws Exception {
    Path svid = write("good", ca.issue(LeafSpec.clientSvid("spiffe://corp.example/agents/bot", hourAgo(), inAnHour())));

    Run run = run("attest", "check", "--config", dir.resolve("minter.yaml").toString(), "--kind", "x509_svid",
        "--evidence", svid.toString());

    assertThat(run.code).isZero();
    assertThat(run.out).contains("verified: spiffe://corp.example/agents/bot").contains("attestor: x509_svid");
  }

  @Test
  void check_untrustedSvid_printsTheReasonAndExitsTwo() throws Exception {
    DevCa rogue = DevCa.create("corp.example", Duration.ofDays(1), Clock.systemUTC());
    Path svid = write("bad", rogue.issue(LeafSpec.clientSvid("spiffe://corp.example/agents/bot", hourAgo(), inAnHour())));

    Run run = run("attest", "check", "--config", dir.resolve("minter.yaml").toString(), "--kind", "x509_svid",
        "--evidence", svid.toString());

    assertThat(run.code).isEqualTo(2);
    assertThat(run.out).contains("rejected (untrusted): certificate chain does not verify");
  }

  @Test
  void check_kindNotEnabled_isRejectedAsMalformed() throws Exception {
    Path token = Files.writeString(dir.resolve("token"), "eyJhbGciOiJub25lIn0.e30.");

    Run run = run("attest", "check", "--config", dir.resolve("minter.yaml").toString(), "--kind", "jwt_svid",
        "--evidence", token.toString());

    assertThat(run.code).isEqualTo(2);
    assertThat(run.out).contains("rejected (malformed): evidence kind 'jwt_svid' is not enabled");
  }

  private Path write(String name, CertifiedKey leaf) throws Exception {
    Path file = dir.resolve(name + ".pem");
    Pem.writeCertificates(file, List.of(leaf.certificate()));
    return file;
  }

  private static Instant hourAgo() {
    return Instant.now().minus(Duration.ofHours(1));
  }

  private static Instant inAnHour() {
    return Instant.now().plus(Duration.ofHours(1));
  }

  private record Run(int code, String out) {}

  private static Run run(String... args) {
    PrintStream original = System.out;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      int code = Main.commandLine().execute(args);
      return new Run(code, bytes.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(original);
    }
  }
}
