package dev.minter.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class OpenSshCertificateTest {
  private static final String TYPE = "ssh-ed25519-cert-v01@openssh.com";

  @Test
  void parse_ed25519UserCertificate_principalsAndValidity() throws IOException {
    String line = TYPE + " " + Base64.getEncoder().encodeToString(certificate(TYPE, -1L)) + " agent";

    OpenSshCertificate cert = OpenSshCertificate.parse(line);

    assertThat(cert.keyType()).isEqualTo(TYPE);
    assertThat(cert.serial()).isEqualTo(42L);
    assertThat(cert.certType()).isEqualTo(1);
    assertThat(cert.principals()).containsExactly("agent", "readonly");
    assertThat(cert.validAfter()).isEqualTo(Instant.ofEpochSecond(1_000));
    assertThat(cert.validBefore()).isEqualTo(Instant.MAX); // 2^64-1: OpenSSH's "forever"
  }

  @Test
  void parse_typeInsideDiffersFromLine_refused() throws IOException {
    String line = TYPE + " " + Base64.getEncoder().encodeToString(certificate("ssh-rsa-cert-v01@openssh.com", 5L));

    assertThatThrownBy(() -> OpenSshCertificate.parse(line)).hasMessageContaining("does not match");
  }

  @Test
  void parse_truncated_refused() throws IOException {
    byte[] full = certificate(TYPE, 5L);
    byte[] cut = java.util.Arrays.copyOf(full, full.length - 20);

    assertThatThrownBy(() -> OpenSshCertificate.parse(TYPE + " " + Base64.getEncoder().encodeToString(cut)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("malformed OpenSSH certificate");
  }

  @Test
  void parse_plainPublicKey_refused() {
    assertThatThrownBy(() -> OpenSshCertificate.parse("ssh-ed25519 AAAA"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not an OpenSSH certificate");
  }

  private static byte[] certificate(String type, long validBefore) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    string(out, type.getBytes(StandardCharsets.UTF_8));
    string(out, new byte[32]); // nonce
    string(out, new byte[32]); // ed25519 public key
    out.writeLong(42L);
    out.writeInt(1);
    string(out, "key-id".getBytes(StandardCharsets.UTF_8));
    ByteArrayOutputStream principals = new ByteArrayOutputStream();
    DataOutputStream p = new DataOutputStream(principals);
    string(p, "agent".getBytes(StandardCharsets.UTF_8));
    string(p, "readonly".getBytes(StandardCharsets.UTF_8));
    string(out, principals.toByteArray());
    out.writeLong(1_000L);
    out.writeLong(validBefore);
    string(out, new byte[0]); // critical options
    string(out, new byte[0]); // extensions
    return bytes.toByteArray();
  }

  private static void string(DataOutputStream out, byte[] value) throws IOException {
    out.writeInt(value.length);
    out.write(value);
  }
}
