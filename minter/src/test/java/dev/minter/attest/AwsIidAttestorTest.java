package dev.minter.attest;

import static dev.minter.attest.aws.AwsIidForge.document;
import static dev.minter.attest.aws.AwsIidForge.fields;
import static dev.minter.attest.aws.AwsIidForge.payload;
import static dev.minter.attest.aws.AwsIidForge.pkcs7;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.minter.attest.AttestationResult.Failure;
import dev.minter.attest.AttestationResult.Rejected;
import dev.minter.attest.AttestationResult.Verified;
import dev.minter.attest.aws.AwsIidForge;
import dev.minter.attest.aws.AwsIidForge.Pkcs7;
import dev.minter.attest.aws.AwsIidForge.Raw;
import dev.minter.attest.aws.AwsIidForge.Signer;
import dev.minter.tls.Pem;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code aws_iid} through the production verifier: documents in AWS's exact formats, signed by runtime keys standing
 * in for AWS's regional certificates, every forgery and malformation rejected with the right failure.
 */
class AwsIidAttestorTest {
  static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
  static final Instant LAUNCH = NOW.minus(Duration.ofDays(2));
  static final String ACCOUNT = "123456789012";
  static final String INSTANCE = "i-0123456789abcdef0";
  private static final Instant CERT_FROM = Instant.parse("2015-08-14T08:59:12Z");
  private static final Instant CERT_TO = Instant.parse("2195-01-17T08:59:12Z");

  static final Signer US_EAST_1 = Signer.rsa(CERT_FROM, CERT_TO);
  static final Signer EU_WEST_1 = Signer.rsa(CERT_FROM, CERT_TO);
  /** Configured for ca-central-1, but its validity ended before any document here was signed. */
  static final Signer EXPIRED = Signer.rsa(CERT_FROM, Instant.parse("2016-01-01T00:00:00Z"));
  static final Signer ROGUE = Signer.rsa(CERT_FROM, CERT_TO);
  static final Signer LOOKALIKE = Signer.lookalikeOf(US_EAST_1);
  static final Signer EC = Signer.ec(CERT_FROM, CERT_TO);

  @TempDir static Path dir;
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final String CONFIG =
      """
      accounts: ["123456789012"]
      certificates:
        us-east-1: us-east-1.pem
        eu-west-1: eu-west-1.pem
        ca-central-1: expired.pem
      max_instance_age: P30D
      """;

  private TestClock clock;
  private AwsIidAttestor attestor;

  @BeforeAll
  static void writeCertificates() throws IOException {
    Pem.writeCertificates(dir.resolve("us-east-1.pem"), List.of(US_EAST_1.certificate()));
    Pem.writeCertificates(dir.resolve("eu-west-1.pem"), List.of(EU_WEST_1.certificate()));
    Pem.writeCertificates(dir.resolve("expired.pem"), List.of(EXPIRED.certificate()));
    Pem.writeCertificates(dir.resolve("two.pem"), List.of(US_EAST_1.certificate(), EU_WEST_1.certificate()));
    Pem.writeCertificates(dir.resolve("ec.pem"), List.of(EC.certificate()));
  }

  @BeforeEach
  void newAttestor() {
    clock = new TestClock(NOW);
    attestor = attestor(CONFIG);
  }

  // ---------------------------------------------------------------- evidence builders

  static Map<String, Object> doc() {
    return fields(ACCOUNT, "us-east-1", INSTANCE, LAUNCH);
  }

  /** Signed the way AWS signs: at launch, by the region's certificate. */
  static Pkcs7 aws(String document, Signer signer) {
    return pkcs7(document).signedBy(signer).signingTime(LAUNCH.plusSeconds(1));
  }

  static byte[] valid() {
    String d = document(doc());
    return payload(d, aws(d, US_EAST_1).build());
  }

  /** A document changed by {@code edit}, signed by us-east-1's key. */
  static byte[] withDocument(Consumer<Map<String, Object>> edit) {
    return withDocument(edit, US_EAST_1);
  }

  static byte[] withDocument(Consumer<Map<String, Object>> edit, Signer signer) {
    Map<String, Object> f = doc();
    edit.accept(f);
    String d = document(f);
    return payload(d, aws(d, signer).build());
  }

  /** The standard document with its PKCS#7 built by {@code build}. */
  static byte[] withPkcs7(Function<Pkcs7, Pkcs7> build) {
    String d = document(doc());
    return payload(d, build.apply(pkcs7(d).signingTime(LAUNCH.plusSeconds(1))).build());
  }

  /** The standard document presented with {@code der} as its signature. */
  static byte[] withRsa2048(byte[] der) {
    return payload(document(doc()), der);
  }

  static byte[] json(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  // ---------------------------------------------------------------- the failure matrix

  record Case(Supplier<byte[]> evidence, Failure failure, String reason, Supplier<byte[]> accepted) {}

  static Arguments row(String name, Supplier<byte[]> evidence, Failure failure, String reason) {
    return arguments(Named.of(name, new Case(evidence, failure, reason, null)));
  }

  /** A row whose evidence is refused after {@code accepted} verified first (replays). */
  static Arguments after(String name, Supplier<byte[]> accepted, Supplier<byte[]> evidence, Failure failure,
      String reason) {
    return arguments(Named.of(name, new Case(evidence, failure, reason, accepted)));
  }

  static final Failure UNTRUSTED = Failure.UNTRUSTED;
  static final Failure MALFORMED = Failure.MALFORMED;
  static final Failure REPLAYED = Failure.REPLAYED;

  static Stream<Arguments> invalidEvidence() {
    String d = document(doc());
    byte[] good = aws(d, US_EAST_1).build();
    byte[] digest = sha256(d.getBytes(StandardCharsets.UTF_8));
    return Stream.of(
        // --- who signed
        row("signed by another RSA key (not a configured certificate)", () -> withPkcs7(p -> p.signedBy(ROGUE)),
            UNTRUSTED, "not a configured AWS certificate"),
        row("look-alike certificate: AWS's issuer and serial, another key",
            () -> withPkcs7(p -> p.signedBy(LOOKALIKE)), UNTRUSTED, "does not verify with the configured"),
        row("look-alike certificate embedded in the PKCS#7",
            () -> withPkcs7(p -> p.signedBy(LOOKALIKE).embedding(LOOKALIKE.certificate())), UNTRUSTED,
            "does not verify with the configured"),
        row("forger's certificate embedded in the PKCS#7 (only)",
            () -> withPkcs7(p -> p.signedBy(ROGUE).embedding(ROGUE.certificate())), UNTRUSTED,
            "not a configured AWS certificate"),
        row("forger's key, AWS's real certificate embedded",
            () -> withPkcs7(p -> p.signedBy(LOOKALIKE).embedding(US_EAST_1.certificate())), UNTRUSTED,
            "does not verify with the configured"),
        row("us-east-1 document signed with eu-west-1's key", () -> withPkcs7(p -> p.signedBy(EU_WEST_1)), UNTRUSTED,
            "not the one for region us-east-1"),
        row("region with no configured certificate", () -> withDocument(f -> {
              f.put("region", "ap-south-1");
              f.put("availabilityZone", "ap-south-1a");
            }), UNTRUSTED, "region ap-south-1 has no configured AWS certificate"),
        row("signing time outside the configured certificate's validity",
            () -> withDocument(f -> f.put("region", "ca-central-1"), EXPIRED), UNTRUSTED, "validity"),
        row("EC key (AWS signs with RSA)", () -> withPkcs7(p -> p.signedBy(EC)), UNTRUSTED, "signature algorithm"),
        // --- tampering
        row("document byte altered inside the PKCS#7",
            () -> withRsa2048(AwsIidForge.flip(good, json("t3.micro"), 1)), UNTRUSTED, "document was altered"),
        row("presented document altered (signed copy intact)",
            () -> payload(d.replace("t3.micro", "t3.xlarge"), good), UNTRUSTED, "not byte-for-byte"),
        row("presented document re-serialized (same JSON, other bytes)",
            () -> payload(d.replace(" : ", ": "), good), UNTRUSTED, "not byte-for-byte"),
        row("signature byte altered", () -> withRsa2048(flipLastSignatureByte(good)), UNTRUSTED,
            "does not verify with the configured"),
        row("messageDigest attribute altered", () -> withRsa2048(AwsIidForge.flip(good, digest, 0)), UNTRUSTED,
            "altered"),
        // --- PKCS#7 structure
        row("two SignerInfos (AWS and a forger)", () -> withPkcs7(p -> p.signedBy(US_EAST_1).signedBy(ROGUE)),
            UNTRUSTED, "2 SignerInfos"),
        row("two SignerInfos, both AWS", () -> withPkcs7(p -> p.signedBy(US_EAST_1).signedBy(US_EAST_1)), UNTRUSTED,
            "2 SignerInfos"),
        row("no SignerInfo", () -> withPkcs7(p -> p), UNTRUSTED, "0 SignerInfos"),
        row("detached content", () -> withPkcs7(p -> p.signedBy(US_EAST_1).detached()), MALFORMED, "detached"),
        row("content type is not id-data",
            () -> withPkcs7(p -> p.signedBy(US_EAST_1).contentType("1.2.840.113549.1.9.16.1.4")), MALFORMED,
            "content type"),
        row("digest SHA-1", () -> withPkcs7(p -> p.signedBy(US_EAST_1.with("SHA1withRSA"))), UNTRUSTED,
            "digest algorithm is 1.3.14.3.2.26"),
        row("digest MD5", () -> withPkcs7(p -> p.signedBy(US_EAST_1.with("MD5withRSA"))), UNTRUSTED,
            "digest algorithm is 1.2.840.113549.2.5"),
        row("digest SHA-512", () -> withPkcs7(p -> p.signedBy(US_EAST_1.with("SHA512withRSA"))), UNTRUSTED,
            "digest algorithm"),
        row("RSA-PSS signature", () -> withPkcs7(p -> p.signedBy(US_EAST_1.with("SHA256withRSAandMGF1"))),
            UNTRUSTED, "signature algorithm is 1.2.840.113549.1.1.10"),
        row("garbage DER", () -> withRsa2048(json("this is not DER at all, just text")), MALFORMED,
            "not a DER/BER-encoded CMS SignedData"),
        row("truncated DER", () -> withRsa2048(java.util.Arrays.copyOf(good, good.length / 2)), MALFORMED,
            "CMS SignedData"),
        row("a certificate instead of a PKCS#7", () -> withRsa2048(encoded(US_EAST_1)), MALFORMED, "CMS SignedData"),
        row("ContentInfo of another type (enveloped data)", () -> withRsa2048(envelopedDataShell()), MALFORMED,
            "CMS SignedData"),
        row("deeply nested DER", () -> withRsa2048(nestedDer(3000)), MALFORMED, "CMS SignedData"),
        // --- payload
        row("empty payload", () -> new byte[0], MALFORMED, "payload is empty"),
        row("payload not JSON", () -> json("document=x&rsa2048=y"), MALFORMED, "payload is not valid JSON"),
        row("payload is a JSON array", () -> json("[\"document\", \"rsa2048\"]"), MALFORMED, "not a JSON object"),
        row("payload with trailing content", () -> json("{\"document\":\"a\",\"rsa2048\":\"AA==\"} {}"), MALFORMED,
            "not valid JSON"),
        row("payload without rsa2048", () -> json("{\"document\":\"{}\"}"), MALFORMED, "no rsa2048"),
        row("payload without document", () -> json("{\"rsa2048\":\"" + b64(good) + "\"}"), MALFORMED, "no document"),
        row("rsa2048 is a number", () -> json("{\"document\":\"{}\",\"rsa2048\":12}"), MALFORMED,
            "rsa2048 is not a non-empty string"),
        row("document is an object", () -> json("{\"document\":{},\"rsa2048\":\"" + b64(good) + "\"}"), MALFORMED,
            "document is not a non-empty string"),
        row("unexpected payload field", () -> json("{\"document\":\"{}\",\"rsa2048\":\"AA==\",\"signature\":\"x\"}"),
            MALFORMED, "unexpected field 'signature'"),
        row("duplicate payload key", () -> json("{\"document\":\"{}\",\"document\":\"{}\",\"rsa2048\":\"AA==\"}"),
            MALFORMED, "duplicate field"),
        row("garbage base64", () -> payload(d, "MIAGCSqG%%%not*base64"), MALFORMED, "not base64"),
        row("deeply nested payload JSON", () -> json("{\"document\":" + "[".repeat(5000) + "]".repeat(5000) + "}"),
            MALFORMED, "parsing limit"),
        row("oversized document", () -> payload(d + " ".repeat(20_000), good), MALFORMED, "parsing limit"),
        // --- the signed document
        row("document without accountId", () -> withDocument(f -> f.remove("accountId")), MALFORMED,
            "document has no accountId"),
        row("document without instanceId", () -> withDocument(f -> f.remove("instanceId")), MALFORMED,
            "document has no instanceId"),
        row("document without region", () -> withDocument(f -> f.remove("region")), MALFORMED,
            "document has no region"),
        row("document without pendingTime", () -> withDocument(f -> f.remove("pendingTime")), MALFORMED,
            "document has no pendingTime"),
        row("instanceId null", () -> withDocument(f -> f.put("instanceId", null)), MALFORMED,
            "document has no instanceId"),
        row("accountId is a number", () -> withDocument(f -> f.put("accountId", new Raw("123456789012"))), MALFORMED,
            "accountId is a number"),
        row("pendingTime is a number", () -> withDocument(f -> f.put("pendingTime", new Raw("1796205600"))),
            MALFORMED, "pendingTime is a number"),
        row("region is an object", () -> withDocument(f -> f.put("region", new Raw("{\"name\":\"us-east-1\"}"))),
            MALFORMED, "region is a object"),
        row("instanceId is an array", () -> withDocument(f -> f.put("instanceId", List.of(INSTANCE))), MALFORMED,
            "instanceId is a array"),
        row("duplicate instanceId in the signed document",
            () -> withDocument(f -> f.put("instanceId#2", "i-0fedcba9876543210")), MALFORMED, "duplicate field"),
        row("deeply nested signed document",
            () -> withDocument(f -> f.put("billingProducts", new Raw("[".repeat(50) + "]".repeat(50)))), MALFORMED,
            "parsing limit"),
        row("signed content is not JSON", () -> signedText("accountId=123456789012"), MALFORMED,
            "document is not valid JSON"),
        row("signed content is a JSON array", () -> signedText("[1,2,3]"), MALFORMED, "not a JSON object"),
        row("accountId of 11 digits", () -> withDocument(f -> f.put("accountId", "12345678901")), MALFORMED,
            "unexpected form"),
        row("instanceId with a path", () -> withDocument(f -> f.put("instanceId", "i-0123/../../x")), MALFORMED,
            "unexpected form"),
        row("pendingTime not a date", () -> withDocument(f -> f.put("pendingTime", "yesterday")), MALFORMED,
            "ISO-8601"),
        // --- allow-lists and time
        row("account not allowed", () -> withDocument(f -> f.put("accountId", "210987654321")), UNTRUSTED,
            "account 210987654321 is not allowed"),
        row("instance older than max_instance_age",
            () -> withDocument(f -> f.put("pendingTime", NOW.minus(Duration.ofDays(31)).toString())), UNTRUSTED,
            "longer ago than max_instance_age"),
        row("pendingTime in the future",
            () -> withDocument(f -> f.put("pendingTime", NOW.plus(Duration.ofMinutes(5)).toString())), UNTRUSTED,
            "is in the future"),
        // --- replays of an earlier launch
        after("document of an earlier launch after the newer one was seen",
            () -> withDocument(f -> f.put("pendingTime", LAUNCH.plus(Duration.ofHours(1)).toString())),
            AwsIidAttestorTest::valid, REPLAYED, "earlier launch"),
        after("a different document for the pinned launch",
            AwsIidAttestorTest::valid, () -> withDocument(f -> f.put("privateIp", "10.0.9.9")), REPLAYED,
            "differs from the one pinned"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidEvidence")
  void attest_invalidEvidence_rejectedWithFailureAndReason(Case c) {
    if (c.accepted() != null) {
      assertThat(attest(c.accepted().get())).isInstanceOf(Verified.class);
    }

    AttestationResult result = attest(c.evidence().get());

    assertThat(result).isInstanceOfSatisfying(Rejected.class, r -> {
      assertThat(r.kind()).isEqualTo(AwsIidAttestor.KIND);
      assertThat(r.failure()).isEqualTo(c.failure());
      assertThat(r.reason()).contains(c.reason()).doesNotContain("\"accountId\"").hasSizeLessThan(300);
    });
  }

  @Test
  void invalidEvidence_matrix_hasAtLeast35Cases() {
    assertThat(invalidEvidence().count()).isGreaterThanOrEqualTo(35);
  }

  // ---------------------------------------------------------------- accepted evidence

  @Test
  void attest_validDocument_yieldsInstanceIdentityAndClaims() {
    AttestationResult result = attest(valid());

    assertThat(result).isInstanceOfSatisfying(Verified.class, v -> {
      assertThat(v.identity().id()).isEqualTo("spiffe://minter.local/aws/123456789012/i-0123456789abcdef0");
      assertThat(v.identity().attestorKind()).isEqualTo("aws_iid");
      assertThat(v.identity().claims()).containsExactlyInAnyOrderEntriesOf(Map.of(
          "aws.account", ACCOUNT,
          "aws.region", "us-east-1",
          "aws.instance_id", INSTANCE,
          "aws.image_id", "ami-0123456789abcdef0",
          "aws.instance_type", "t3.micro",
          "aws.az", "us-east-1a"));
    });
  }

  @Test
  void attest_sameDocumentOnEveryCall_verifiesEachTime() {
    byte[] evidence = valid();

    for (int call = 0; call < 3; call++) {
      clock.advance(Duration.ofMinutes(10));
      assertThat(attest(evidence)).isInstanceOf(Verified.class);
    }
  }

  @Test
  void attest_instanceStartedAgain_newDocumentVerifiesAndTheOldOneIsRefused() {
    byte[] firstLaunch = valid();
    byte[] secondLaunch = withDocument(f -> f.put("pendingTime", NOW.minus(Duration.ofHours(1)).toString()));
    assertThat(attest(firstLaunch)).isInstanceOf(Verified.class);

    assertThat(attest(secondLaunch)).isInstanceOf(Verified.class);
    assertThat(attest(firstLaunch)).isInstanceOfSatisfying(Rejected.class,
        r -> assertThat(r.failure()).isEqualTo(REPLAYED));
    assertThat(attest(secondLaunch)).isInstanceOf(Verified.class);
  }

  @Test
  void attest_allowReattestation_acceptsAnEarlierLaunch() {
    attestor = attestor(CONFIG + "allow_reattestation: true\n");
    byte[] older = valid();
    assertThat(attest(withDocument(f -> f.put("pendingTime", NOW.minus(Duration.ofHours(1)).toString()))))
        .isInstanceOf(Verified.class);

    assertThat(attest(older)).isInstanceOf(Verified.class);
  }

  @Test
  void attest_regionsAllowList_refusesOtherRegions() {
    attestor = attestor(CONFIG + "regions: [us-east-1]\n");

    AttestationResult result = attest(withDocument(f -> {
      f.put("region", "eu-west-1");
      f.put("availabilityZone", "eu-west-1b");
    }, EU_WEST_1));

    assertThat(result).isInstanceOfSatisfying(Rejected.class, r -> {
      assertThat(r.failure()).isEqualTo(UNTRUSTED);
      assertThat(r.reason()).contains("region eu-west-1 is not allowed");
    });
  }

  @Test
  void attest_otherRegionWithItsOwnCertificate_verifies() {
    AttestationResult result = attest(withDocument(f -> {
      f.put("region", "eu-west-1");
      f.put("availabilityZone", "eu-west-1b");
    }, EU_WEST_1));

    assertThat(result).isInstanceOf(Verified.class);
  }

  @Test
  void attest_defaultCertificate_coversUnlistedRegions() {
    attestor = attestor("accounts: [\"123456789012\"]\ndefault_certificate: us-east-1.pem\n");

    AttestationResult result = attest(withDocument(f -> f.put("region", "ap-south-1")));

    assertThat(result).isInstanceOf(Verified.class);
  }

  @Test
  void attest_pendingTimeSlightlyAheadWithinSkew_verifies() {
    AttestationResult result =
        attest(withDocument(f -> f.put("pendingTime", NOW.plus(Duration.ofSeconds(20)).toString())));

    assertThat(result).isInstanceOf(Verified.class);
  }

  @Test
  void attest_definiteLengthDerAndUnwrappedBase64_verify() {
    String d = document(doc());
    byte[] der = aws(d, US_EAST_1).der().build();

    assertThat(attest(payload(d, Base64.getEncoder().encodeToString(der)))).isInstanceOf(Verified.class);
  }

  @Test
  void forge_pkcs7_hasAwsShape_indefiniteLengthBerWithoutCertificates() throws Exception {
    byte[] ber = aws(document(doc()), US_EAST_1).build();
    var signed = new org.bouncycastle.cms.CMSSignedData(ber);

    assertThat(ber[0] & 0xff).isEqualTo(0x30);
    assertThat(ber[1] & 0xff).isEqualTo(0x80); // indefinite length, as AWS sends it
    assertThat(signed.getCertificates().getMatches(null)).isEmpty();
    assertThat(signed.getSignerInfos().iterator().next().getSignedAttributes().size()).isEqualTo(4);
  }

  @Test
  void attest_pinStoreFails_rejectsInsteadOfSkippingTheCheck() {
    attestor = AwsIidAttestor.create(yaml(CONFIG), env(), (kind, subject, generation, fingerprint) -> {
      throw new IllegalStateException("disk full");
    });

    assertThat(attest(valid())).isInstanceOfSatisfying(Rejected.class, r -> {
      assertThat(r.failure()).isEqualTo(UNTRUSTED);
      assertThat(r.reason()).contains("trust-on-first-use records are unavailable");
    });
  }

  @Test
  void attest_evidenceOfAnotherKind_isMalformed() {
    AttestationResult result = attestor.attest(new Evidence("x509_svid", valid(), List.of()));

    assertThat(result).isInstanceOfSatisfying(Rejected.class, r -> assertThat(r.failure()).isEqualTo(MALFORMED));
  }

  // ---------------------------------------------------------------- bounded work

  static Stream<Arguments> pathologicalEvidence() {
    return Stream.of(
        arguments(Named.of("DER nested 3000 deep", withRsa2048(nestedDer(3000)))),
        arguments(Named.of("BER nested 4000 deep, indefinite lengths", withRsa2048(nestedBer(4000)))),
        arguments(Named.of("16 KiB of random DER", withRsa2048(random(12_000)))),
        arguments(Named.of("JSON nested 30000 deep", json("[".repeat(30_000)))),
        arguments(Named.of("64 KiB of whitespace", json(" ".repeat(Attestors.MAX_EVIDENCE_BYTES)))),
        arguments(Named.of("4000 keys in the payload", json(manyKeys(4_000)))),
        arguments(Named.of("100 SignerInfos", withPkcs7(p -> {
          for (int i = 0; i < 100; i++) {
            p.signedBy(ROGUE);
          }
          return p;
        }))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pathologicalEvidence")
  void attest_pathologicalEvidence_rejectedWithinMilliseconds(byte[] evidence) {
    attest(evidence); // warm up class loading and JIT for this path

    long start = System.nanoTime();
    AttestationResult result = attest(evidence);
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(result).isInstanceOf(Rejected.class);
    assertThat(took).isLessThan(Duration.ofMillis(50)); // typically well under 5 ms; slack for a busy CI machine
  }

  @Test
  void attest_validDocument_takesAFewMillisecondsAtMost() {
    byte[] evidence = valid();
    for (int i = 0; i < 200; i++) {
      attest(evidence); // warm up: the JIT, Bouncy Castle's algorithm tables
    }

    long start = System.nanoTime();
    for (int i = 0; i < 100; i++) {
      attest(evidence);
    }
    Duration average = Duration.ofNanos((System.nanoTime() - start) / 100);

    assertThat(average).isLessThan(Duration.ofMillis(10)); // ~0.3 ms on a quiet laptop; slack for loaded CI
  }

  // ---------------------------------------------------------------- configuration

  static Stream<Arguments> invalidConfig() {
    return Stream.of(
        arguments("no accounts", "certificates: {us-east-1: us-east-1.pem}", "accounts: none"),
        arguments("empty accounts", "accounts: []\ndefault_certificate: us-east-1.pem", "accounts: none"),
        arguments("account not 12 digits", "accounts: [\"1234\"]\ndefault_certificate: us-east-1.pem",
            "accounts[0]: '1234'"),
        arguments("no certificate at all", "accounts: [\"123456789012\"]", "certificates: none"),
        arguments("region key not a region",
            "accounts: [\"123456789012\"]\ncertificates: {US_EAST: us-east-1.pem}", "certificates.US_EAST"),
        arguments("allowed region without certificate",
            "accounts: [\"123456789012\"]\nregions: [eu-west-1]\ncertificates: {us-east-1: us-east-1.pem}",
            "regions: 'eu-west-1' has no certificate"),
        arguments("missing certificate file", "accounts: [\"123456789012\"]\ndefault_certificate: nope.pem",
            "default_certificate: cannot read"),
        arguments("two certificates in one file", "accounts: [\"123456789012\"]\ndefault_certificate: two.pem",
            "holds 2 certificates"),
        arguments("EC certificate", "accounts: [\"123456789012\"]\ndefault_certificate: ec.pem", "not an RSA-2048"),
        arguments("zero max_instance_age",
            "accounts: [\"123456789012\"]\ndefault_certificate: us-east-1.pem\nmax_instance_age: 0s",
            "max_instance_age"),
        arguments("unknown key", "accounts: [\"123456789012\"]\ndefault_certificate: us-east-1.pem\nacounts: []",
            "acounts"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidConfig")
  void create_invalidConfig_throwsNamingTheSetting(String name, String yaml, String message) {
    assertThatThrownBy(() -> attestor(yaml))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @Test
  void builtInAttestors_awsIidSection_enablesTheKind() throws Exception {
    Attestors attestors = Attestors.build(Map.of("aws_iid", yaml(CONFIG)), env(), false);

    assertThat(attestors.kinds()).containsExactly("aws_iid");
    assertThat(attestors.attest(new Evidence("aws_iid", valid(), List.of()))).isInstanceOf(Verified.class);
  }

  @Test
  void builtInAttestors_badSection_errorNamesTheKind() {
    assertThatThrownBy(() -> Attestors.build(Map.of("aws_iid", yaml("regions: []")), env(), false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("attestors.aws_iid: ");
  }

  // ---------------------------------------------------------------- helpers

  private AttestationResult attest(byte[] payload) {
    return attestor.attest(new Evidence(AwsIidAttestor.KIND, payload, List.of()));
  }

  private AwsIidAttestor attestor(String yaml) {
    return AwsIidAttestor.create(yaml(yaml), env(), new InMemoryTofuPins());
  }

  private AttestorEnvironment env() {
    return new AttestorEnvironment(clock, Duration.ofSeconds(30), new InMemoryReplayGuard(clock, 100),
        new NonceStore(clock, 10), HTTP, "minter.local", td -> Optional.empty(), dir);
  }

  private static com.fasterxml.jackson.databind.JsonNode yaml(String text) {
    try {
      return YAML.readTree(text);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] signedText(String content) {
    return payload(content, aws(content, US_EAST_1).build());
  }

  private static String b64(byte[] der) {
    return Base64.getEncoder().encodeToString(der);
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] encoded(Signer signer) {
    try {
      return signer.certificate().getEncoded();
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The RSA signature is the last 256 bytes before the trailing end-of-contents octets. */
  private static byte[] flipLastSignatureByte(byte[] ber) {
    try {
      var signer = new org.bouncycastle.cms.CMSSignedData(ber).getSignerInfos().iterator().next();
      byte[] signature = signer.getSignature();
      return AwsIidForge.flip(ber, signature, signature.length - 1);
    } catch (org.bouncycastle.cms.CMSException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] envelopedDataShell() {
    try {
      return new org.bouncycastle.asn1.cms.ContentInfo(
              org.bouncycastle.asn1.cms.CMSObjectIdentifiers.envelopedData, new org.bouncycastle.asn1.DERSequence())
          .getEncoded("DER");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A SignedData ContentInfo whose content is {@code depth} nested SEQUENCEs (definite lengths). */
  static byte[] nestedDer(int depth) {
    byte[] inner = new byte[0];
    for (int i = 0; i < depth; i++) {
      inner = tlv(0x30, inner);
    }
    byte[] oid = {0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x07, 0x02};
    byte[] body = new byte[oid.length + tlv(0xa0, inner).length];
    byte[] tagged = tlv(0xa0, inner);
    System.arraycopy(oid, 0, body, 0, oid.length);
    System.arraycopy(tagged, 0, body, oid.length, tagged.length);
    return tlv(0x30, body);
  }

  static byte[] nestedBer(int depth) {
    byte[] out = new byte[depth * 4];
    for (int i = 0; i < depth; i++) {
      out[2 * i] = 0x30;
      out[2 * i + 1] = (byte) 0x80;
    }
    return out; // the second half is all end-of-contents octets (zeros)
  }

  private static byte[] tlv(int tag, byte[] inner) {
    int n = inner.length;
    byte[] header = n < 128 ? new byte[] {(byte) tag, (byte) n}
        : n < 256 ? new byte[] {(byte) tag, (byte) 0x81, (byte) n}
        : new byte[] {(byte) tag, (byte) 0x82, (byte) (n >> 8), (byte) n};
    byte[] out = new byte[header.length + n];
    System.arraycopy(header, 0, out, 0, header.length);
    System.arraycopy(inner, 0, out, header.length, n);
    return out;
  }

  private static byte[] random(int n) {
    byte[] bytes = new byte[n];
    new java.util.Random(42).nextBytes(bytes);
    bytes[0] = 0x30;
    return bytes;
  }

  private static String manyKeys(int n) {
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":1");
    }
    return sb.append('}').toString();
  }
}
