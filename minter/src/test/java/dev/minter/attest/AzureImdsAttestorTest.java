package dev.minter.attest;

import static dev.minter.attest.AttestationResult.Failure.MALFORMED;
import static dev.minter.attest.AttestationResult.Failure.REPLAYED;
import static dev.minter.attest.AttestationResult.Failure.UNTRUSTED;
import static dev.minter.attest.azure.AzureTestPki.cert;
import static dev.minter.attest.azure.ImdsDocuments.content;
import static dev.minter.attest.azure.ImdsDocuments.json;
import static dev.minter.attest.azure.ImdsDocuments.pkcs7;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.minter.attest.AttestationResult.Failure;
import dev.minter.attest.AttestationResult.Rejected;
import dev.minter.attest.AttestationResult.Verified;
import dev.minter.attest.azure.AzureImdsSettings;
import dev.minter.attest.azure.AzureTestPki;
import dev.minter.attest.azure.AzureTestPki.Chain;
import dev.minter.attest.azure.AzureTestPki.Issued;
import dev.minter.attest.azure.ImdsDocuments;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The failure matrix for {@code azure_imds}: documents in Azure's exact format, signed by runtime test keys, each
 * broken in one way, through the production verifier. Every row must be rejected with the right failure sort and a
 * reason an operator can act on.
 */
class AzureImdsAttestorTest {
  static final Instant NOW = Instant.parse("2026-11-30T05:00:00Z");
  static final String SUB = "8d10da13-8125-4ba9-a717-bf7490507b3d";
  static final String OTHER_SUB = "11111111-2222-3333-4444-555555555555";
  static final String VM = "02aab8a4-74ef-476e-8182-f6d2ba4166a6";
  static final String OTHER_VM = "99999999-8888-7777-6666-555555555555";
  static final Duration SKEW = Duration.ofSeconds(30);
  static final Chain AZ = Chain.create(NOW.minus(Duration.ofDays(30)), NOW.plus(Duration.ofDays(300)));
  /** One spare RSA key for every forged certificate (key generation is the slow part of these tests). */
  static final KeyPair OTHER = AzureTestPki.rsa();
  static final HttpClient HTTP = HttpClient.newHttpClient();

  // ---- the matrix ----

  static Stream<Arguments> invalidDocuments() {
    return Stream.of(
        // The IMDS response envelope.
        row("payload is not JSON", fx -> utf8("encoding=pkcs7&signature=MIIE"), MALFORMED,
            "IMDS response is not valid JSON"),
        row("payload is a JSON array", fx -> utf8("[\"pkcs7\"]"), MALFORMED, "IMDS response is not a JSON object"),
        row("payload is UTF-16", fx -> new String(fx.valid(), UTF_8).getBytes(java.nio.charset.StandardCharsets.UTF_16),
            MALFORMED, "is not UTF-8 text"),
        row("encoding missing", fx -> utf8("{\"signature\":\"" + b64(fx.validDer()) + "\"}"), MALFORMED,
            "has no 'encoding'"),
        row("encoding is not pkcs7", fx -> utf8("{\"encoding\":\"base64\",\"signature\":\"" + b64(fx.validDer()) + "\"}"),
            MALFORMED, "encoding '\"base64\"' is not supported"),
        row("encoding is a number", fx -> utf8("{\"encoding\":7,\"signature\":\"" + b64(fx.validDer()) + "\"}"),
            MALFORMED, "encoding '7' is not supported"),
        row("signature missing", fx -> utf8("{\"encoding\":\"pkcs7\"}"), MALFORMED, "has no 'signature' string"),
        row("signature is an array", fx -> utf8("{\"encoding\":\"pkcs7\",\"signature\":[\"MIIE\"]}"), MALFORMED,
            "has no 'signature' string"),
        row("signature is not base64", fx -> utf8("{\"encoding\":\"pkcs7\",\"signature\":\"%%not base64%%\"}"),
            MALFORMED, "signature is not base64"),
        row("signature is base64 of garbage", fx -> ImdsDocuments.envelope(utf8("certainly not DER")), MALFORMED,
            "is not a DER-encoded PKCS#7"),
        row("DER with trailing bytes", fx -> ImdsDocuments.envelope(concat(fx.validDer(), new byte[] {0, 0})),
            MALFORMED, "is not a DER-encoded PKCS#7"),
        row("DER truncated", fx -> {
          byte[] der = fx.validDer();
          return ImdsDocuments.envelope(Arrays.copyOf(der, der.length - 20));
        }, MALFORMED, "is not a DER-encoded PKCS#7"),
        row("ContentInfo is id-data, not SignedData", fx -> ImdsDocuments.envelope(der(
            new ContentInfo(CMSObjectIdentifiers.data, new DEROctetString(json(fx.content()))))),
            MALFORMED, "is not a PKCS#7 SignedData"),
        row("duplicate key in the envelope", fx -> utf8("{\"encoding\":\"pkcs7\",\"signature\":\"" + b64(fx.validDer())
            + "\",\"signature\":\"MIIE\"}"), MALFORMED, "IMDS response has a duplicate key"),
        row("oversized document", fx -> utf8("{\"encoding\":\"pkcs7\",\"signature\":\"" + "A".repeat(70_000) + "\"}"),
            MALFORMED, "bytes (expected: <= 65536)"),

        // The PKCS#7 structure.
        row("content type is not id-data", fx -> fx.signed(pkcs7(json(fx.content()))
            .contentType(PKCSObjectIdentifiers.id_ct_TSTInfo)), MALFORMED, "is not id-data"),
        row("detached content", fx -> fx.signed(pkcs7(json(fx.content())).detached()), MALFORMED, "is detached"),
        row("nine certificates", fx -> fx.signed(pkcs7(json(fx.content())).certificates(nine())), MALFORMED,
            "carries 9 certificates (expected: at most 8)"),
        row("zero SignerInfos", fx -> pkcs7(json(fx.content())).certificates(AZ.signer().certificate()).envelope(),
            UNTRUSTED, "has 0 SignerInfos (expected: exactly one)"),
        row("two SignerInfos", fx -> fx.signed(pkcs7(json(fx.content()))
            .signer(AZ.signer().privateKey(), AZ.signer().certificate())), UNTRUSTED, "has 2 SignerInfos"),
        row("signer certificate not carried", fx -> fx.signed(pkcs7(json(fx.content())).certificates()), UNTRUSTED,
            "does not carry the signer's certificate"),
        row("SHA-1 digest", fx -> fx.signed(pkcs7(json(fx.content()))
            .digest(OIWObjectIdentifiers.idSHA1, "SHA1withRSA")), UNTRUSTED,
            "digest algorithm '1.3.14.3.2.26' is not accepted"),
        row("sha1WithRSAEncryption as the digest", fx -> fx.signed(pkcs7(json(fx.content()))
            .digest(PKCSObjectIdentifiers.sha1WithRSAEncryption, "SHA1withRSA")), UNTRUSTED, "is not accepted"),

        // The signature.
        row("wrong signer key", fx -> pkcs7(json(fx.content())).signer(OTHER.getPrivate(), AZ.signer().certificate())
            .envelope(), UNTRUSTED, "signature does not verify with the signer certificate"),
        row("tampered content (nonce edited after signing)", fx -> {
          Map<String, Object> c = fx.content();
          byte[] signedOver = json(c);
          c.put("nonce", fx.nonce());
          return fx.signed(pkcs7(json(c)).signOver(signedOver));
        }, UNTRUSTED, "signature does not verify"),
        row("tampered content (subscription edited after signing)", fx -> {
          Map<String, Object> c = fx.content();
          byte[] signedOver = json(c);
          c.put("subscriptionId", OTHER_SUB);
          return fx.signed(pkcs7(json(c)).signOver(signedOver));
        }, UNTRUSTED, "signature does not verify"),
        row("tampered signature", fx -> fx.signed(pkcs7(json(fx.content())).tamperSignature(s -> {
          s[s.length - 1] ^= 1;
          return s;
        })), UNTRUSTED, "signature does not verify"),

        // The signer certificate and its path.
        row("self-signed metadata.azure.com", fx -> fx.signedBy(
            cert("CN=metadata.azure.com", OTHER).dns("metadata.azure.com").build()), UNTRUSTED,
            "does not chain to a configured root"),
        row("look-alike issuing CA (same name, other key)", fx -> {
          Issued fake = cert(AzureTestPki.subjectOf(AZ.intermediate()), OTHER).ca(0).build();
          assertThat(fake.certificate().getSubjectX500Principal()).isEqualTo(AZ.signer().certificate()
              .getIssuerX500Principal());
          return fx.signedBy(signerUnder(fake), fake.certificate());
        }, UNTRUSTED, "does not chain to a configured root"),
        row("fake root injected into the certificate set", fx -> {
          Issued fakeRoot = cert(AzureTestPki.subjectOf(AZ.root()), OTHER).ca(-1).build();
          Issued fakeInter = cert(AzureTestPki.subjectOf(AZ.intermediate()), OTHER)
              .ca(0).issuer(fakeRoot).build();
          assertThat(fakeRoot.certificate().getSubjectX500Principal()).isEqualTo(AZ.root().certificate()
              .getSubjectX500Principal());
          return fx.signedBy(signerUnder(fakeInter), fakeInter.certificate(), fakeRoot.certificate());
        }, UNTRUSTED, "does not chain to a configured root"),
        row("expired signer certificate", fx -> fx.signedBy(cert("CN=metadata.azure.com", AZ.signer().keys())
            .dns("metadata.azure.com").issuer(AZ.intermediate())
            .validity(NOW.minus(Duration.ofDays(60)), NOW.minus(Duration.ofDays(1))).build()), UNTRUSTED,
            "signer certificate 'CN=metadata.azure.com' expired at 2026-11-29T05:00:00Z"),
        row("signer certificate not yet valid", fx -> fx.signedBy(cert("CN=metadata.azure.com", AZ.signer().keys())
            .dns("metadata.azure.com").issuer(AZ.intermediate())
            .validity(NOW.plus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(60))).build()), UNTRUSTED,
            "signer certificate 'CN=metadata.azure.com' is not valid before 2026-12-01T05:00:00Z"),
        row("expired intermediate", fx -> {
          Issued inter = cert("CN=Expired Issuing CA", OTHER).ca(0).issuer(AZ.root())
              .validity(NOW.minus(Duration.ofDays(60)), NOW.minus(Duration.ofDays(1))).build();
          return fx.signedBy(signerUnder(inter), inter.certificate());
        }, UNTRUSTED, "intermediate certificate 'CN=Expired Issuing CA' expired at 2026-11-29T05:00:00Z"),
        row("intermediate not yet valid", fx -> {
          Issued inter = cert("CN=Future Issuing CA", OTHER).ca(0).issuer(AZ.root())
              .validity(NOW.plus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(60))).build();
          return fx.signedBy(signerUnder(inter), inter.certificate());
        }, UNTRUSTED, "intermediate certificate 'CN=Future Issuing CA' is not valid before 2026-12-01T05:00:00Z"),
        row("signed by a non-CA certificate of the issuing CA", fx -> {
          Issued leaf = cert("CN=not a CA", OTHER).issuer(AZ.intermediate()).build();
          return fx.signedBy(signerUnder(leaf), leaf.certificate());
        }, UNTRUSTED, "does not chain to a configured root"),
        row("chain longer than three intermediates", fx -> {
          Issued parent = AZ.root();
          X509Certificate[] extra = new X509Certificate[4];
          for (int i = 0; i < 4; i++) {
            parent = cert("CN=Nested CA " + i, OTHER).ca(-1).issuer(parent).build();
            extra[i] = parent.certificate();
          }
          return fx.signedBy(signerUnder(parent), extra);
        }, UNTRUSTED, "does not chain to a configured root within 3 intermediates"),
        row("wrong signer name", fx -> fx.signedBy(namedSigner("CN=management.azure.com", "management.azure.com")),
            UNTRUSTED, "signer certificate is for 'management.azure.com', not metadata.azure.com"),
        row("signer name with a look-alike suffix", fx -> fx.signedBy(namedSigner("CN=metadata.azure.com",
            "metadata.azure.com.evil.example")), UNTRUSTED, "is for 'metadata.azure.com.evil.example'"),
        row("signer name without the dot", fx -> fx.signedBy(namedSigner("CN=x", "evilmetadata.azure.com")),
            UNTRUSTED, "is for 'evilmetadata.azure.com'"),
        row("right CN but other DNS SAN", fx -> fx.signedBy(namedSigner("CN=metadata.azure.com", "www.example.com")),
            UNTRUSTED, "is for 'www.example.com'"),
        row("signer certificate is a CA", fx -> fx.signedBy(cert("CN=metadata.azure.com", OTHER)
            .dns("metadata.azure.com").ca(0).issuer(AZ.intermediate()).build()), UNTRUSTED, "is a CA certificate"),
        row("signer keyUsage lacks digitalSignature", fx -> fx.signedBy(cert("CN=metadata.azure.com", OTHER)
            .dns("metadata.azure.com").keyUsage(KeyUsage.keyEncipherment).issuer(AZ.intermediate()).build()),
            UNTRUSTED, "keyUsage lacks digitalSignature"),

        // The signed content.
        row("content is not JSON", fx -> fx.sign(utf8("nonce=" + fx.nonce())), MALFORMED,
            "attested data is not valid JSON"),
        row("content with trailing data", fx -> fx.sign(concat(json(fx.content()), utf8(" {}"))), MALFORMED,
            "attested data is not valid JSON"),
        row("content is a JSON string", fx -> fx.sign(utf8("\"" + fx.nonce() + "\"")), MALFORMED,
            "attested data is not a JSON object"),
        row("duplicate key in content", fx -> {
          String j = new String(json(fx.content()), UTF_8);
          return fx.sign(utf8(j.replace("\"vmId\"", "\"subscriptionId\":\"" + OTHER_SUB + "\",\"vmId\"")));
        }, MALFORMED, "attested data has a duplicate key"),
        row("deeply nested content", fx -> fx.sign(utf8(new String(json(fx.content()), UTF_8)
            .replace("\"plan\":{", "\"plan\":" + "{\"a\":".repeat(40) + "{" ).replace("\"publisher\":\"\"}",
                "\"publisher\":\"\"}" + "}".repeat(40)))), MALFORMED, "nested deeper than 8 levels"),
        row("nonce missing", fx -> fx.sign(fx.without("nonce")), MALFORMED, "attested data has no 'nonce'"),
        row("nonce empty", fx -> fx.sign(fx.with("nonce", "")), MALFORMED, "attested data has no 'nonce'"),
        row("nonce null", fx -> fx.sign(fx.with("nonce", null)), MALFORMED, "attested data has no 'nonce'"),
        row("subscriptionId missing", fx -> fx.sign(fx.without("subscriptionId")), MALFORMED,
            "has no 'subscriptionId'"),
        row("vmId missing", fx -> fx.sign(fx.without("vmId")), MALFORMED, "has no 'vmId'"),
        row("timeStamp missing", fx -> fx.sign(fx.without("timeStamp")), MALFORMED, "has no 'timeStamp'"),
        row("createdOn missing", fx -> fx.sign(fx.stamp("createdOn", null)), MALFORMED, "has no 'createdOn'"),
        row("expiresOn missing", fx -> fx.sign(fx.stamp("expiresOn", null)), MALFORMED, "has no 'expiresOn'"),
        row("nonce is a number", fx -> fx.sign(fx.with("nonce", 1234567890)), MALFORMED,
            "'nonce' is a number (expected: a string)"),
        row("subscriptionId is a number", fx -> fx.sign(fx.with("subscriptionId", 42)), MALFORMED,
            "'subscriptionId' is a number"),
        row("vmId is an object", fx -> fx.sign(fx.with("vmId", Map.of("id", VM))), MALFORMED, "'vmId' is an object"),
        row("sku is a number", fx -> fx.sign(fx.with("sku", 2022)), MALFORMED, "'sku' is a number"),
        row("licenseType is a boolean", fx -> fx.sign(fx.with("licenseType", true)), MALFORMED,
            "'licenseType' is a boolean"),
        row("timeStamp is a string", fx -> fx.sign(fx.with("timeStamp", "11/30/26 04:59:00 -0000")), MALFORMED,
            "'timeStamp' is a string (expected: an object)"),
        row("plan is an array", fx -> fx.sign(fx.with("plan", List.of())), MALFORMED, "'plan' is an array"),
        row("createdOn is a number", fx -> fx.sign(fx.stamp("createdOn", 1796014740)), MALFORMED,
            "'createdOn' is a number"),
        row("subscriptionId is not a GUID", fx -> fx.sign(fx.with("subscriptionId", "prod-subscription")), MALFORMED,
            "'subscriptionId' 'prod-subscription' is not a GUID"),
        row("vmId is not a GUID", fx -> fx.sign(fx.with("vmId", "../" + VM)), MALFORMED, "'vmId'"),
        row("createdOn in ISO-8601 form", fx -> fx.sign(fx.stamp("createdOn", "2026-11-30T04:59:00Z")), MALFORMED,
            "'timeStamp.createdOn' '2026-11-30T04:59:00Z' is not a time"),
        row("createdOn an impossible date", fx -> fx.sign(fx.stamp("createdOn", "13/45/26 04:59:00 -0000")),
            MALFORMED, "is not a time"),

        // Validity window.
        row("document expired", fx -> fx.sign(fx.stamps(NOW.minus(Duration.ofHours(7)), NOW.minus(Duration.ofHours(1)))),
            UNTRUSTED, "document expired at 2026-11-30T04:00:00Z"),
        row("document expired beyond the skew", fx -> fx.sign(fx.stamps(NOW.minus(Duration.ofHours(6)),
            NOW.minus(SKEW).minusSeconds(1))), UNTRUSTED, "document expired at"),
        row("document created in the future", fx -> fx.sign(fx.stamps(NOW.plus(Duration.ofMinutes(5)),
            NOW.plus(Duration.ofHours(6)))), UNTRUSTED, "document was created in the future"),
        row("expiresOn before createdOn", fx -> fx.sign(fx.stamps(NOW.minusSeconds(60), NOW.minusSeconds(120))),
            UNTRUSTED, "is not after createdOn"),

        // Allow-lists.
        row("subscription not allowed", fx -> fx.sign(fx.with("subscriptionId", OTHER_SUB)), UNTRUSTED,
            "subscription 11111111-2222-3333-4444-555555555555 is not allowed"),
        row("VM not in vm_ids", fx -> {
          fx.allowOnlyVms(OTHER_VM);
          return fx.valid();
        }, UNTRUSTED, "VM 02aab8a4-74ef-476e-8182-f6d2ba4166a6 is not allowed"),

        // The nonce.
        row("nonce never issued", fx -> fx.sign(fx.with("nonce", "0123456789abcdef0123456789abcdef")), UNTRUSTED,
            "was not issued by this server or has expired"),
        row("IMDS default nonce (none requested)", fx -> fx.sign(fx.with("nonce", "20261130-045900")), UNTRUSTED,
            "'20261130-045900' was not issued by this server (call IssueNonce"),
        row("nonce longer than IMDS allows", fx -> fx.sign(fx.with("nonce", "a".repeat(33))), UNTRUSTED,
            "was not issued by this server (call IssueNonce"),
        row("nonce expired", fx -> {
          String nonce = fx.nonce();
          fx.clock.advance(NonceStore.LIFETIME.plusSeconds(1));
          return fx.sign(fx.with("nonce", nonce));
        }, UNTRUSTED, "was not issued by this server or has expired"),
        row("nonce reused (replay of the same document)", fx -> {
          byte[] doc = fx.valid();
          assertThat(fx.attest(doc)).isInstanceOf(Verified.class);
          return doc;
        }, REPLAYED, "was already used (a nonce is good for one call)"),
        row("nonce reused in a freshly signed document", fx -> {
          Map<String, Object> c = fx.content();
          assertThat(fx.attest(fx.sign(c))).isInstanceOf(Verified.class);
          c.put("timeStamp", Map.of("createdOn", ImdsDocuments.AZURE_TIME.format(NOW),
              "expiresOn", ImdsDocuments.AZURE_TIME.format(NOW.plus(Duration.ofHours(6)))));
          return fx.sign(c);
        }, REPLAYED, "was already used"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidDocuments")
  void attest_invalidDocument_rejectedWithFailureAndReason(
      Function<Fixture, byte[]> document, Failure failure, String fragment) {
    Fixture fx = new Fixture();
    byte[] payload = document.apply(fx);

    AttestationResult result = fx.attest(payload);

    assertThat(result).isInstanceOfSatisfying(Rejected.class, r -> {
      assertThat(r.kind()).isEqualTo(AzureImdsAttestor.KIND);
      assertThat(r.reason()).contains(fragment).doesNotContain("MII").hasSizeLessThan(300);
      assertThat(r.failure()).isEqualTo(failure);
    });
  }

  // ---- documents that hold ----

  @Test
  void attest_freshDocument_verifiedWithIdentityAndClaims() {
    Fixture fx = new Fixture();

    assertThat(fx.attest(fx.valid())).isInstanceOfSatisfying(Verified.class, v -> {
      assertThat(v.identity().id()).isEqualTo("spiffe://minter.local/azure/" + SUB + "/" + VM);
      assertThat(v.identity().attestorKind()).isEqualTo("azure_imds");
      assertThat(v.identity().claims()).containsExactlyInAnyOrderEntriesOf(Map.of(
          "azure.subscription_id", SUB,
          "azure.vm_id", VM,
          "azure.sku", "2022-datacenter-azure-edition",
          "azure.license_type", "Windows_Server"));
    });
  }

  @Test
  void attest_intermediateCarriedInTheDocument_verifiedWithoutConfiguredIntermediates() {
    Fixture fx = new Fixture();
    AzureImdsAttestor rootsOnly = new AzureImdsAttestor(new AzureImdsSettings(Set.of(AZ.root().certificate()),
        List.of(), "metadata.azure.com", Set.of(SUB), Set.of()), fx.env);
    byte[] doc = fx.signedBy(AZ.signer(), AZ.intermediate().certificate());

    assertThat(rootsOnly.attest(new Evidence(AzureImdsAttestor.KIND, doc, List.of()))).isInstanceOf(Verified.class);
  }

  @Test
  void attest_standardCmsWithSignedAttributes_verified() throws Exception {
    Fixture fx = new Fixture();
    CMSSignedDataGenerator generator = new CMSSignedDataGenerator();
    generator.addSignerInfoGenerator(new JcaSignerInfoGeneratorBuilder(
        new JcaDigestCalculatorProviderBuilder().build())
        .build(new JcaContentSignerBuilder("SHA256withRSA").build(AZ.signer().privateKey()), AZ.signer().certificate()));
    generator.addCertificate(new JcaX509CertificateHolder(AZ.signer().certificate()));
    byte[] der = generator.generate(new CMSProcessableByteArray(json(fx.content())), true).getEncoded();

    assertThat(fx.attest(ImdsDocuments.envelope(der))).isInstanceOf(Verified.class);
  }

  @Test
  void attest_regionalSignerName_verified() {
    Fixture fx = new Fixture();
    Issued regional = cert("CN=eastus.metadata.azure.com", AZ.signer().keys()).dns("*.metadata.azure.com")
        .issuer(AZ.intermediate()).build();

    assertThat(fx.attest(fx.signedBy(regional))).isInstanceOf(Verified.class);
  }

  @Test
  void attest_signerNamedOnlyByItsCommonName_verified() {
    Fixture fx = new Fixture();
    Issued cnOnly = cert("CN=metadata.azure.com, O=Microsoft Corporation", AZ.signer().keys())
        .issuer(AZ.intermediate()).build();

    assertThat(fx.attest(fx.signedBy(cnOnly))).isInstanceOf(Verified.class);
  }

  @Test
  void attest_documentWithoutSkuOrLicense_claimsLeaveThemOut() {
    Fixture fx = new Fixture();
    Map<String, Object> content = fx.content();
    content.remove("sku");
    content.remove("licenseType");

    assertThat(fx.attest(fx.sign(content))).isInstanceOfSatisfying(Verified.class,
        v -> assertThat(v.identity().claims()).containsOnlyKeys("azure.subscription_id", "azure.vm_id"));
  }

  @Test
  void attest_upperCaseIds_matchTheAllowListAndAreNormalized() {
    Fixture fx = new Fixture();
    fx.allowOnlyVms(VM);
    Map<String, Object> content = fx.content();
    content.put("subscriptionId", SUB.toUpperCase(java.util.Locale.ROOT));
    content.put("vmId", VM.toUpperCase(java.util.Locale.ROOT));

    assertThat(fx.attest(fx.sign(content))).isInstanceOfSatisfying(Verified.class,
        v -> assertThat(v.identity().id()).isEqualTo("spiffe://minter.local/azure/" + SUB + "/" + VM));
  }

  @Test
  void attest_createdSlightlyAheadWithinTheSkew_verified() {
    Fixture fx = new Fixture();

    assertThat(fx.attest(fx.sign(fx.stamps(NOW.plusSeconds(20), NOW.plus(Duration.ofHours(6))))))
        .isInstanceOf(Verified.class);
  }

  @Test
  void attest_refusedDocument_doesNotBurnItsNonce() {
    Fixture fx = new Fixture();
    Map<String, Object> content = fx.content();
    content.put("subscriptionId", OTHER_SUB);
    assertThat(fx.attest(fx.sign(content))).isInstanceOf(Rejected.class);
    content.put("subscriptionId", SUB);

    assertThat(fx.attest(fx.sign(content))).isInstanceOf(Verified.class);
  }

  @Test
  void attest_otherEvidenceKind_rejected() {
    Fixture fx = new Fixture();

    assertThat(fx.attestor().attest(new Evidence("aws_iid", fx.valid(), List.of())))
        .isInstanceOfSatisfying(Rejected.class, r -> assertThat(r.reason()).contains("'aws_iid' is not azure_imds"));
  }

  @Test
  void attest_validDocument_takesAFewMillisecondsAtMost() {
    Fixture fx = new Fixture();
    AzureImdsAttestor attestor = fx.attestor();
    List<byte[]> docs = Stream.generate(fx::valid).limit(40).toList();
    docs.subList(0, 10).forEach(d -> attestor.attest(new Evidence(AzureImdsAttestor.KIND, d, List.of()))); // warm up

    long start = System.nanoTime();
    docs.subList(10, 40).forEach(d -> assertThat(attestor.attest(new Evidence(AzureImdsAttestor.KIND, d, List.of())))
        .isInstanceOf(Verified.class));
    Duration average = Duration.ofNanos((System.nanoTime() - start) / 30);

    assertThat(average).isLessThan(Duration.ofMillis(20));
  }

  // ---- the fixture ----

  /** A fresh clock, nonce store and replay guard per case, and helpers to sign documents with the test chain. */
  static final class Fixture {
    final TestClock clock = new TestClock(NOW);
    final NonceStore nonces = new NonceStore(clock, 100);
    final AttestorEnvironment env = new AttestorEnvironment(clock, SKEW, new InMemoryReplayGuard(clock, 1000), nonces,
        HTTP, "minter.local", td -> Optional.empty(), Path.of("."));
    private Set<String> vmIds = Set.of();
    private String currentNonce;

    AzureImdsAttestor attestor() {
      return new AzureImdsAttestor(new AzureImdsSettings(Set.of(AZ.root().certificate()),
          List.of(AZ.intermediate().certificate()), "metadata.azure.com", Set.of(SUB), vmIds), env);
    }

    AttestationResult attest(byte[] payload) {
      return attestor().attest(new Evidence(AzureImdsAttestor.KIND, payload, List.of()));
    }

    void allowOnlyVms(String... ids) {
      vmIds = Set.of(ids);
    }

    String nonce() {
      currentNonce = nonces.issue().orElseThrow().nonce();
      return currentNonce;
    }

    /** Azure's content for a fresh nonce, created a minute ago, expiring in six hours (as IMDS does). */
    Map<String, Object> content() {
      Instant now = clock.instant();
      return ImdsDocuments.content(nonce(), SUB, VM, now.minusSeconds(60), now.plus(Duration.ofHours(6)));
    }

    byte[] with(String key, Object value) {
      Map<String, Object> c = content();
      c.put(key, value);
      return json(c);
    }

    byte[] without(String key) {
      Map<String, Object> c = content();
      c.remove(key);
      return json(c);
    }

    @SuppressWarnings("unchecked")
    byte[] stamp(String key, Object value) {
      Map<String, Object> c = content();
      Map<String, Object> stamp = new LinkedHashMap<>((Map<String, Object>) c.get("timeStamp"));
      if (value == null) {
        stamp.remove(key);
      } else {
        stamp.put(key, value);
      }
      c.put("timeStamp", stamp);
      return json(c);
    }

    byte[] stamps(Instant createdOn, Instant expiresOn) {
      Map<String, Object> c = content();
      c.put("timeStamp", Map.of("createdOn", ImdsDocuments.AZURE_TIME.format(createdOn),
          "expiresOn", ImdsDocuments.AZURE_TIME.format(expiresOn)));
      return json(c);
    }

    byte[] valid() {
      return sign(content());
    }

    byte[] validDer() {
      return pkcs7(json(content())).signer(AZ.signer().privateKey(), AZ.signer().certificate()).der();
    }

    byte[] sign(Map<String, Object> content) {
      return sign(json(content));
    }

    byte[] sign(byte[] content) {
      return signed(pkcs7(content));
    }

    /** Adds the genuine signer to {@code p} and returns its envelope. */
    byte[] signed(ImdsDocuments.Pkcs7 p) {
      return p.signer(AZ.signer().privateKey(), AZ.signer().certificate()).envelope();
    }

    /** A valid content signed by {@code signer}, carrying it and {@code extra} certificates. */
    byte[] signedBy(Issued signer, X509Certificate... extra) {
      X509Certificate[] certs = Stream.concat(Stream.of(signer.certificate()), Stream.of(extra))
          .toArray(X509Certificate[]::new);
      return pkcs7(json(content())).signer(signer.privateKey(), signer.certificate()).certificates(certs).envelope();
    }
  }

  // ---- helpers ----

  private static Arguments row(String name, Function<Fixture, byte[]> document, Failure failure, String fragment) {
    return arguments(Named.of(name, document), failure, fragment);
  }

  /** A metadata.azure.com signer issued by {@code issuer}, with the genuine signer's key. */
  static Issued signerUnder(Issued issuer) {
    return cert("CN=metadata.azure.com", AZ.signer().keys()).dns("metadata.azure.com").issuer(issuer).build();
  }

  static Issued namedSigner(String subject, String dns) {
    return cert(subject, AZ.signer().keys()).dns(dns).issuer(AZ.intermediate()).build();
  }

  private static X509Certificate[] nine() {
    X509Certificate[] out = new X509Certificate[9];
    out[0] = AZ.signer().certificate();
    for (int i = 1; i < 9; i++) {
      out[i] = cert("CN=filler " + i, AZ.signer().keys()).build().certificate();
    }
    return out;
  }

  static byte[] utf8(String s) {
    return s.getBytes(UTF_8);
  }

  static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  static byte[] der(ContentInfo info) {
    try {
      return info.getEncoded(ASN1Encoding.DER);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
