package dev.minter.vault;

import static java.util.Objects.requireNonNull;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The fields Minter reports from an OpenSSH certificate ({@code <type>-cert-v01@openssh.com <base64> ...},
 * PROTOCOL.certkeys): what Vault really signed, rather than what Minter asked for. Parsing only, no signature
 * check: the certificate came straight from Vault over the authenticated channel.
 *
 * @param keyType e.g. {@code ssh-ed25519-cert-v01@openssh.com}
 * @param serial the certificate serial
 * @param certType 1 = user, 2 = host
 * @param principals the principals it is valid for
 * @param validBefore when it stops working
 */
public record OpenSshCertificate(
    String keyType, long serial, int certType, List<String> principals, Instant validAfter, Instant validBefore) {
  /** How many public-key fields follow the nonce, per certificate type. */
  private static final Map<String, Integer> KEY_FIELDS =
      Map.of(
          "ssh-rsa-cert-v01@openssh.com", 2,
          "ssh-dss-cert-v01@openssh.com", 4,
          "ecdsa-sha2-nistp256-cert-v01@openssh.com", 2,
          "ecdsa-sha2-nistp384-cert-v01@openssh.com", 2,
          "ecdsa-sha2-nistp521-cert-v01@openssh.com", 2,
          "ssh-ed25519-cert-v01@openssh.com", 1,
          "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com", 3,
          "sk-ssh-ed25519-cert-v01@openssh.com", 2);

  public OpenSshCertificate {
    requireNonNull(keyType, "keyType");
    principals = List.copyOf(requireNonNull(principals, "principals"));
    requireNonNull(validAfter, "validAfter");
    requireNonNull(validBefore, "validBefore");
  }

  /** Parses the one-line authorized-keys form Vault returns as {@code signed_key}. */
  public static OpenSshCertificate parse(String line) {
    requireNonNull(line, "line");
    String[] parts = line.strip().split("\\s+");
    if (parts.length < 2 || !KEY_FIELDS.containsKey(parts[0])) {
      throw new IllegalArgumentException("not an OpenSSH certificate line (type '" + parts[0] + "')");
    }
    try {
      ByteBuffer in = ByteBuffer.wrap(Base64.getDecoder().decode(parts[1]));
      String type = string(in);
      if (!type.equals(parts[0])) {
        throw new IllegalArgumentException("certificate type " + type + " does not match its line (" + parts[0] + ")");
      }
      skip(in); // nonce
      for (int i = 0; i < KEY_FIELDS.get(type); i++) {
        skip(in);
      }
      long serial = in.getLong();
      int certType = in.getInt();
      skip(in); // key id
      ByteBuffer packed = ByteBuffer.wrap(bytes(in));
      List<String> principals = new ArrayList<>();
      while (packed.hasRemaining()) {
        principals.add(string(packed));
      }
      Instant validAfter = instant(in.getLong());
      Instant validBefore = instant(in.getLong());
      return new OpenSshCertificate(type, serial, certType, principals, validAfter, validBefore);
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      throw new IllegalArgumentException("malformed OpenSSH certificate: " + e.getMessage(), e);
    }
  }

  /** OpenSSH times are unsigned seconds; 0xFFFFFFFFFFFFFFFF means "forever". */
  private static Instant instant(long seconds) {
    return seconds < 0 ? Instant.MAX : Instant.ofEpochSecond(seconds);
  }

  private static String string(ByteBuffer in) {
    return new String(bytes(in), StandardCharsets.UTF_8);
  }

  private static void skip(ByteBuffer in) {
    bytes(in);
  }

  private static byte[] bytes(ByteBuffer in) {
    int length = in.getInt();
    if (length < 0 || length > in.remaining()) {
      throw new IllegalArgumentException("field length " + length + " exceeds the " + in.remaining() + " bytes left");
    }
    byte[] out = new byte[length];
    in.get(out);
    return out;
  }
}
