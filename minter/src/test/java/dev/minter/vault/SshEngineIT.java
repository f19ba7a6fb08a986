package dev.minter.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minter.policy.RoleSpec;
import dev.minter.testing.RealStack;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ssh engine against real OpenBao's SSH engine. The certificate is checked independently with
 * {@code ssh-keygen -L} when the machine has it (signing CA, principals, validity), else with Minter's parser.
 */
class SshEngineIT {
  static final RoleSpec AGENT_SSH =
      new RoleSpec("agent-ssh", "ssh", "ssh-client-signer/sign/agents", List.of("task-ssh-agents"), List.of());

  private static RealStack stack;
  private static VaultGateway vault;
  private final SshEngine engine = new SshEngine(Clock.systemUTC());
  @TempDir Path dir;

  @BeforeAll
  static void startStack() {
    stack = RealStack.get();
    vault = new VaultGateway(stack.gatewayConfig(), Clock.systemUTC());
  }

  @AfterAll
  static void closeGateway() {
    vault.close();
  }

  @Test
  void mint_defaultPrincipal_userCertSignedByCaWithinTask() throws Exception {
    TaskToken task = task(Duration.ofMinutes(10));

    MintedCredential minted = engine.mint(vault, task, AGENT_SSH, Duration.ofMinutes(5), Map.of("public_key", publicKey()));

    Credential.SshCertificate cert = (Credential.SshCertificate) minted.credential();
    assertThat(minted.leaseType()).isEqualTo(LeaseType.NONE); // SSH certificates only expire
    assertThat(minted.leaseId()).isEqualTo(cert.serialNumber());
    assertThat(cert.principals()).containsExactly("agent"); // the role's default_user
    assertThat(cert.signedKey()).startsWith("ssh-ed25519-cert-v01@openssh.com ");
    assertThat(minted.expiresAt()).isBeforeOrEqualTo(task.expiresAt());
    Inspected inspected = inspect(cert.signedKey());
    assertThat(inspected.userCertificate()).isTrue();
    assertThat(inspected.principals()).containsExactly("agent");
    assertThat(inspected.validBefore()).isBeforeOrEqualTo(task.expiresAt());
    if (inspected.signingCa() != null) {
      assertThat(inspected.signingCa()).isEqualTo(fingerprint(caPublicKey()));
    }
    vault.revokeAccessor(task.accessor());
  }

  @Test
  void mint_allowedPrincipal_onlyThatPrincipal() throws Exception {
    TaskToken task = task(Duration.ofMinutes(10));

    MintedCredential minted =
        engine.mint(vault, task, AGENT_SSH, Duration.ofMinutes(5), Map.of("public_key", publicKey(), "valid_principals", "readonly"));

    assertThat(((Credential.SshCertificate) minted.credential()).principals()).containsExactly("readonly");
    assertThat(inspect(((Credential.SshCertificate) minted.credential()).signedKey()).principals()).containsExactly("readonly");
    vault.revokeAccessor(task.accessor());
  }

  @Test
  void mint_principalOutsideRole_refusedByVault() throws Exception {
    TaskToken task = task(Duration.ofMinutes(10));

    assertThatThrownBy(
            () -> engine.mint(vault, task, AGENT_SSH, Duration.ofMinutes(5), Map.of("public_key", publicKey(), "valid_principals", "root")))
        .isInstanceOf(VaultRequestException.class)
        .satisfies(e -> assertThat(((VaultRequestException) e).status()).isEqualTo(400));
    vault.revokeAccessor(task.accessor());
  }

  /** What the certificate says, read by ssh-keygen if installed, else by Minter's own parser. */
  record Inspected(boolean userCertificate, List<String> principals, Instant validBefore, String signingCa) {}

  private Inspected inspect(String signedKey) throws Exception {
    if (!Files.isExecutable(Path.of("/usr/bin/ssh-keygen"))) {
      OpenSshCertificate cert = OpenSshCertificate.parse(signedKey);
      return new Inspected(cert.certType() == 1, cert.principals(), cert.validBefore(), null);
    }
    Path file = dir.resolve("agent-cert.pub");
    Files.writeString(file, signedKey);
    String out = sshKeygen("-L", "-f", file.toString());
    Matcher valid = Pattern.compile("Valid: from \\S+ to (\\S+)").matcher(out);
    Matcher ca = Pattern.compile("Signing CA: \\S+ (SHA256:\\S+)").matcher(out);
    Matcher principals = Pattern.compile("Principals:\\s*\\n((?:\\s{16,}\\S+\\n)+)").matcher(out);
    assertThat(valid.find() && ca.find() && principals.find()).as(out).isTrue();
    return new Inspected(
        out.contains("ssh-ed25519-cert-v01@openssh.com user certificate"),
        Arrays.stream(principals.group(1).strip().split("\\s+")).toList(),
        LocalDateTime.parse(valid.group(1)).toInstant(ZoneOffset.UTC),
        ca.group(1));
  }

  private String fingerprint(String publicKey) throws Exception {
    Path file = dir.resolve("ca.pub");
    Files.writeString(file, publicKey);
    return sshKeygen("-l", "-f", file.toString()).split("\\s+")[1];
  }

  private static String sshKeygen(String... args) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(concat("/usr/bin/ssh-keygen", args)).redirectErrorStream(true);
    builder.environment().put("TZ", "UTC");
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(out).isZero();
    return out;
  }

  private static String[] concat(String first, String... rest) {
    String[] all = new String[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }

  private static String caPublicKey() {
    return stack.asRoot("GET", "ssh-client-signer/config/ca", null).body().path("data").path("public_key").asText();
  }

  /** A fresh Ed25519 key in OpenSSH form; the private half never leaves the test. */
  private static String publicKey() throws Exception {
    PublicKey key = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic();
    byte[] x509 = key.getEncoded();
    byte[] raw = Arrays.copyOfRange(x509, x509.length - 32, x509.length);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    byte[] type = "ssh-ed25519".getBytes(StandardCharsets.US_ASCII);
    out.writeInt(type.length);
    out.write(type);
    out.writeInt(raw.length);
    out.write(raw);
    return "ssh-ed25519 " + Base64.getEncoder().encodeToString(bytes.toByteArray()) + " agent@it";
  }

  private static TaskToken task(Duration ttl) {
    return vault.createTaskToken(List.of("task-ssh-agents"), ttl, Map.of("task", "ssh-it"));
  }
}
