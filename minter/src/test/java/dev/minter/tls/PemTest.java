package dev.minter.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minter.attest.TestClock;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import java.math.BigInteger;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemTest {
  @TempDir Path dir;
  private final TestClock clock = new TestClock(Instant.parse("2026-12-01T10:00:00Z"));

  @Test
  void parseCertificates_bundle_returnsAllInOrder() throws IOException {
    DevCa a = DevCa.create("a.example", Duration.ofDays(1), clock);
    DevCa b = DevCa.create("b.example", Duration.ofDays(1), clock);

    assertThat(Pem.parseCertificates(Pem.toPem(List.of(a.certificate(), b.certificate()))))
        .containsExactly(a.certificate(), b.certificate());
  }

  @Test
  void parseCertificates_noCertificate_throws() {
    assertThatThrownBy(() -> Pem.parseCertificates("hello")).isInstanceOf(PemException.class)
        .hasMessageContaining("no certificate");
  }

  @Test
  void toPem_privateKey_isPkcs8AndRoundTrips() throws Exception {
    PrivateKey key = DevCa.create("a.example", Duration.ofDays(1), clock).asIssuer().privateKey();

    String pem = Pem.toPem(key);

    assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(Pem.parsePrivateKey(pem)).isEqualTo(key);
  }

  @Test
  void parsePrivateKey_traditionalEcAndRsa_accepted() throws Exception {
    CertifiedKey ecCa = DevCa.create("a.example", Duration.ofDays(1), clock).asIssuer();
    PrivateKey ec = ecCa.privateKey();
    KeyPairGenerator rsaGen = KeyPairGenerator.getInstance("RSA");
    rsaGen.initialize(2048);
    PrivateKey rsa = rsaGen.generateKeyPair().getPrivate();

    String ecPem = opensslEcKey(ecCa);
    String rsaPem = traditional(rsa);

    assertThat(ecPem).startsWith("-----BEGIN EC PARAMETERS-----").contains("-----BEGIN EC PRIVATE KEY-----");
    assertThat(rsaPem).startsWith("-----BEGIN RSA PRIVATE KEY-----");
    PrivateKey parsedEc = Pem.parsePrivateKey(ecPem);
    assertThat(((java.security.interfaces.ECPrivateKey) parsedEc).getS())
        .isEqualTo(((java.security.interfaces.ECPrivateKey) ec).getS());
    assertThat(Certificates.keyMatches(ecCa.certificate(), parsedEc)).isTrue();
    assertThat(Pem.parsePrivateKey(rsaPem).getEncoded()).isEqualTo(rsa.getEncoded());
  }

  @Test
  void parsePrivateKey_encrypted_throwsWithoutEchoingContent() throws Exception {
    PrivateKey key = DevCa.create("a.example", Duration.ofDays(1), clock).asIssuer().privateKey();
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(new JcaPKCS8Generator(key, new JceOpenSSLPKCS8EncryptorBuilder(
          PKCSObjectIdentifiers.pbeWithSHAAnd3_KeyTripleDES_CBC).setPassword("pw".toCharArray()).build()));
    }
    String body = out.toString().lines().skip(1).findFirst().orElseThrow();

    assertThatThrownBy(() -> Pem.parsePrivateKey(out.toString()))
        .isInstanceOf(PemException.class)
        .hasMessageContaining("encrypted")
        .message().doesNotContain(body);
  }

  @Test
  void parsePrivateKey_twoKeys_throws() throws Exception {
    PrivateKey key = DevCa.create("a.example", Duration.ofDays(1), clock).asIssuer().privateKey();

    assertThatThrownBy(() -> Pem.parsePrivateKey(Pem.toPem(key) + Pem.toPem(key)))
        .isInstanceOf(PemException.class)
        .hasMessageContaining("2 private keys");
  }

  @Test
  void writePrivateKey_overExistingWorldReadableFile_leavesOwnerOnlyFile() throws IOException {
    Path file = dir.resolve("k.key");
    Files.writeString(file, "old");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    PrivateKey key = DevCa.create("a.example", Duration.ofDays(1), clock).asIssuer().privateKey();

    Pem.writePrivateKey(file, key);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(Pem.readPrivateKey(file)).isEqualTo(key);
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactly(file); // no temp file left behind
    }
  }

  /**
   * What {@code openssl ecparam -genkey -name prime256v1} writes: an EC PARAMETERS block, then an RFC 5915
   * ECPrivateKey carrying the curve and the public key. (The JDK's own PKCS#8 omits both from the inner key.)
   */
  private static String opensslEcKey(CertifiedKey ck) throws IOException {
    PrivateKeyInfo pki = PrivateKeyInfo.getInstance(ck.privateKey().getEncoded());
    ASN1Encodable curve = pki.getPrivateKeyAlgorithm().getParameters();
    BigInteger d = ECPrivateKey.getInstance(pki.parsePrivateKey()).getKey();
    DERBitString q = new DERBitString(
        SubjectPublicKeyInfo.getInstance(ck.certificate().getPublicKey().getEncoded()).getPublicKeyData().getBytes());
    StringWriter out = new StringWriter();
    try (PemWriter w = new PemWriter(out)) {
      w.writeObject(new PemObject("EC PARAMETERS", curve.toASN1Primitive().getEncoded()));
      w.writeObject(new PemObject("EC PRIVATE KEY", new ECPrivateKey(256, d, q, curve).getEncoded()));
    }
    return out.toString();
  }

  private static String traditional(PrivateKey key) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(key); // JcaMiscPEMGenerator writes an RSA key in its OpenSSL "traditional" form
    }
    return out.toString();
  }
}
