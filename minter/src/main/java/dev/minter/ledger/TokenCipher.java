package dev.minter.ledger;

import static java.util.Objects.requireNonNull;

import dev.minter.vault.Secret;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts task tokens for storage in the ledger: AES-256-GCM with a fresh random 12-byte nonce per encryption.
 *
 * <p>Envelope layout: {@code version (1 byte) || nonce (12 bytes) || ciphertext || tag (16 bytes)}. The task id is
 * the additional authenticated data, so a ciphertext copied into another task's row does not decrypt: whoever can
 * write the database cannot make task B run with task A's token. Thread-safe: a {@link Cipher} is made per call.
 */
public final class TokenCipher {
  static final int KEY_BYTES = 32;
  private static final byte VERSION = 1;
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final int MIN_ENVELOPE = 1 + NONCE_BYTES + TAG_BITS / 8;

  private final SecretKeySpec key;
  private final SecureRandom random;

  private TokenCipher(byte[] key, SecureRandom random) {
    if (key.length != KEY_BYTES) {
      throw new IllegalArgumentException("key: " + key.length + " bytes (expected: " + KEY_BYTES + ")");
    }
    this.key = new SecretKeySpec(key, "AES"); // SecretKeySpec copies; the caller wipes its array
    this.random = requireNonNull(random, "random");
  }

  /**
   * Loads the ledger key from {@code keyFile}, creating it (32 random bytes, mode 0600, parent directories 0700) on
   * first start. Refuses a file of the wrong size or one any group or other user can access.
   */
  public static TokenCipher loadOrCreate(Path keyFile) {
    SecureRandom random = new SecureRandom();
    byte[] key = LedgerKeyFile.loadOrCreate(keyFile, random);
    try {
      return new TokenCipher(key, random);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  /** Seals {@code token} to {@code taskId}. */
  public byte[] encrypt(String taskId, Secret token) {
    requireNonNull(taskId, "taskId");
    requireNonNull(token, "token");
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(taskId.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(token.reveal().getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.allocate(1 + NONCE_BYTES + sealed.length).put(VERSION).put(nonce).put(sealed).array();
    } catch (GeneralSecurityException e) {
      throw new LedgerException("ledger: cannot encrypt the token of task " + taskId, e);
    }
  }

  /**
   * Opens an envelope sealed to {@code taskId}.
   *
   * @throws LedgerException if it was tampered with, sealed under another key, or sealed to another task
   */
  public Secret decrypt(String taskId, byte[] envelope) {
    requireNonNull(taskId, "taskId");
    requireNonNull(envelope, "envelope");
    if (envelope.length < MIN_ENVELOPE || envelope[0] != VERSION) {
      throw new LedgerException(
          "ledger: the stored token of task " + taskId + " is malformed (unknown version or truncated)");
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, envelope, 1, NONCE_BYTES));
      cipher.updateAAD(taskId.getBytes(StandardCharsets.UTF_8));
      byte[] plain = cipher.doFinal(envelope, 1 + NONCE_BYTES, envelope.length - 1 - NONCE_BYTES);
      return Secret.of(new String(plain, StandardCharsets.UTF_8));
    } catch (AEADBadTagException e) {
      throw new LedgerException(
          "ledger: the stored token of task "
              + taskId
              + " does not authenticate (wrong ledger key, tampered row, or a row moved from another task)",
          e);
    } catch (GeneralSecurityException e) {
      throw new LedgerException("ledger: cannot decrypt the token of task " + taskId, e);
    }
  }

  @Override
  public String toString() {
    return "TokenCipher[AES-256-GCM, key redacted]";
  }
}
