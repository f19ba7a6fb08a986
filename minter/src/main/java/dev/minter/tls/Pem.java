package dev.minter.tls;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads and writes certificates and private keys as PEM. Keys are read from PKCS#8 ({@code PRIVATE KEY}) or the
 * traditional {@code EC PRIVATE KEY} / {@code RSA PRIVATE KEY} forms and always written as unencrypted PKCS#8
 * (what gRPC/Netty accept), to files readable by the owner only.
 */
public final class Pem {
  private Pem() {}

  /** All certificates in {@code file}, in file order; other PEM objects are skipped. */
  public static List<X509Certificate> readCertificates(Path file) throws IOException {
    return parseCertificates(Files.readString(file, StandardCharsets.US_ASCII), file.toString());
  }

  /** All certificates in {@code pem}, in order; other PEM objects are skipped. */
  public static List<X509Certificate> parseCertificates(String pem) throws PemException {
    return parseCertificates(pem, "PEM text");
  }

  /** The one private key in {@code file}. */
  public static PrivateKey readPrivateKey(Path file) throws IOException {
    return parsePrivateKey(Files.readString(file, StandardCharsets.US_ASCII), file.toString());
  }

  /** The one private key in {@code pem}. */
  public static PrivateKey parsePrivateKey(String pem) throws PemException {
    return parsePrivateKey(pem, "PEM text");
  }

  /** {@code certificates} as concatenated {@code CERTIFICATE} blocks. */
  public static String toPem(List<X509Certificate> certificates) {
    return encode(new ArrayList<Object>(certificates));
  }

  /** {@code key} as an unencrypted PKCS#8 {@code PRIVATE KEY} block. Treat the result as secret. */
  public static String toPem(PrivateKey key) throws PemException {
    try {
      return encode(List.of(new JcaPKCS8Generator(requireNonNull(key, "key"), null)));
    } catch (IOException | RuntimeException e) {
      throw new PemException("cannot encode " + key.getAlgorithm() + " private key as PKCS#8", e);
    }
  }

  /** Writes {@code certificates} to {@code file} (mode 0644), replacing it atomically. */
  public static void writeCertificates(Path file, List<X509Certificate> certificates) throws IOException {
    writeAtomically(file, toPem(certificates), "rw-r--r--");
  }

  /** Writes {@code key} as PKCS#8 to {@code file} with mode 0600, replacing it atomically. */
  public static void writePrivateKey(Path file, PrivateKey key) throws IOException {
    writeAtomically(file, toPem(key), "rw-------");
  }

  private static List<X509Certificate> parseCertificates(String pem, String source) throws PemException {
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    List<X509Certificate> out = new ArrayList<>();
    for (Object o : objects(pem, source)) {
      if (o instanceof X509CertificateHolder holder) {
        try {
          out.add(converter.getCertificate(holder));
        } catch (CertificateException e) {
          throw new PemException("unusable certificate #" + (out.size() + 1) + " in " + source, e);
        }
      }
    }
    if (out.isEmpty()) {
      throw new PemException("no certificate in " + source);
    }
    return List.copyOf(out);
  }

  private static PrivateKey parsePrivateKey(String pem, String source) throws PemException {
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    List<PrivateKey> keys = new ArrayList<>();
    for (Object o : objects(pem, source)) {
      if (o instanceof PKCS8EncryptedPrivateKeyInfo || o instanceof PEMEncryptedKeyPair) {
        throw new PemException("private key in " + source + " is encrypted (expected: unencrypted PEM)");
      }
      // A traditional key's public half is optional in the encoding, so take only the private key info.
      PrivateKeyInfo info = o instanceof PrivateKeyInfo pki ? pki
          : o instanceof PEMKeyPair pair ? pair.getPrivateKeyInfo() : null;
      if (info != null) {
        try {
          keys.add(converter.getPrivateKey(info));
        } catch (IOException | RuntimeException e) {
          throw new PemException("unusable private key in " + source + " (" + e.getClass().getSimpleName() + ")");
        }
      }
    }
    if (keys.size() != 1) {
      throw new PemException(keys.size() + " private keys in " + source + " (expected: exactly one)");
    }
    return keys.get(0);
  }

  private static List<Object> objects(String pem, String source) throws PemException {
    List<Object> out = new ArrayList<>();
    try (PEMParser parser = new PEMParser(new StringReader(requireNonNull(pem, "pem")))) {
      for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
        out.add(o);
      }
    } catch (IOException | RuntimeException e) {
      // No cause text: a parser message could quote the (secret) content.
      throw new PemException("malformed PEM in " + source + " (" + e.getClass().getSimpleName() + ")");
    }
    return out;
  }

  private static String encode(List<Object> objects) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      for (Object o : objects) {
        writer.writeObject(o);
      }
    } catch (IOException e) {
      throw new IllegalStateException("PEM encoding to memory failed", e);
    }
    return out.toString();
  }

  /**
   * Write-to-temp then rename: readers (a bundle reloader, a TLS server) never see a half-written file, and a
   * key file is created with its final mode instead of being chmod-ed after the secret is already on disk.
   */
  private static void writeAtomically(Path file, String content, String mode) throws IOException {
    Path target = file.toAbsolutePath();
    Path dir = target.getParent();
    Files.createDirectories(dir);
    boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    Path tmp = posix
        ? Files.createTempFile(dir, "." + target.getFileName(), ".tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
        : Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
    try {
      Files.writeString(tmp, content, StandardCharsets.US_ASCII);
      if (posix) {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(mode));
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
