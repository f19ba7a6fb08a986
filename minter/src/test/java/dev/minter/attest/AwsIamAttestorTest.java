package dev.minter.attest;

import static dev.minter.attest.AttestationResult.Failure.MALFORMED;
import static dev.minter.attest.AttestationResult.Failure.REPLAYED;
import static dev.minter.attest.AttestationResult.Failure.UNTRUSTED;
import static dev.minter.attest.aws.iam.TestAwsSigner.b64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.minter.attest.AttestationResult.Failure;
import dev.minter.attest.AttestationResult.Rejected;
import dev.minter.attest.AttestationResult.Verified;
import dev.minter.attest.aws.iam.TestAwsSigner;
import dev.minter.attest.aws.iam.TestAwsSigner.Credentials;
import dev.minter.attest.aws.iam.TestAwsSigner.Draft;
import dev.minter.attest.aws.iam.TestAwsSigner.Request;
import dev.minter.attest.aws.iam.TestSts;
import dev.minter.attest.aws.iam.TestSts.Canned;
import dev.minter.attest.aws.iam.TestSts.Principal;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code aws_iam} through the production attestor against a local STS that really verifies SigV4: agents' requests
 * signed at runtime with random keys, every forgery in a named table with the failure it must get, its reason, and
 * whether it may reach STS at all (the local checks must stop most of them before any network call).
 */
class AwsIamAttestorTest {
  private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
  private static final TestClock CLOCK = new TestClock(NOW);
  private static final String SERVER_ID = "minter.test";
  private static final String ACCOUNT = "111122223333";
  private static final String OTHER_ACCOUNT = "444455556666";

  private static final Credentials ROLE = Credentials.random("ASIAROLE", true);
  private static final Credentials USER = Credentials.random("AKIAUSER", false);
  private static final Credentials STRANGER = Credentials.random("ASIAOTHR", true);
  private static final Credentials ADMIN = Credentials.random("ASIAADMN", true);
  private static final Credentials EXPIRED = Credentials.random("ASIAEXPD", true);
  private static final Credentials ROOT = Credentials.random("AKIAROOT", false);
  private static final Credentials FEDERATED = Credentials.random("ASIAFEDU", true);
  private static final Credentials UNKNOWN = Credentials.random("AKIAUNKN", false);

  private static final TestSts STS = startSts();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final ReplayGuard replay = new InMemoryReplayGuard(CLOCK, 10_000);
  private Attestor attestor = attestor(STS.endpoint(), "1s");

  @BeforeEach
  void resetSts() {
    STS.reset();
  }

  @AfterAll
  static void stopSts() {
    STS.close();
  }

  // ---- the failure matrix ----

  /** How a forged or malformed piece of evidence is made; may reconfigure the fixture (STS answers, endpoint). */
  @FunctionalInterface
  interface Forgery {
    byte[] make(AwsIamAttestorTest t) throws Exception;
  }

  static Stream<Arguments> forgeries() {
    return Stream.of(
        // STS verifies the signature: these pass Minter's local checks and are refused by STS.
        row("wrong secret key", t -> draft(ROLE).sign(new Credentials(ROLE.accessKeyId(), "wrong",
            ROLE.sessionToken())).evidence(), UNTRUSTED, "HTTP 403, STS error SignatureDoesNotMatch", 1),
        row("unknown access key", t -> draft(UNKNOWN).sign(UNKNOWN).evidence(), UNTRUSTED,
            "STS error InvalidClientTokenId", 1),
        row("signature digits altered", t -> tampered(ROLE, r -> r.headers.compute("Authorization",
            (k, v) -> v.substring(0, v.length() - 1) + (v.endsWith("0") ? "1" : "0"))), UNTRUSTED,
            "SignatureDoesNotMatch", 1),
        row("signed header altered after signing", t -> tampered(ROLE, r -> r.headers.put("Content-Type",
            "text/plain")), UNTRUSTED, "SignatureDoesNotMatch", 1),
        row("body reordered after signing", t -> tampered(ROLE, r -> r.body =
            "Version=2011-06-15&Action=GetCallerIdentity"), UNTRUSTED, "SignatureDoesNotMatch", 1),
        row("signed for another region", t -> signed(ROLE, d -> d.region = "eu-west-1"), UNTRUSTED,
            "SignatureDoesNotMatch", 1),
        row("expired session token", t -> signed(EXPIRED, d -> {}), UNTRUSTED, "STS error ExpiredToken", 1),
        row("session token swapped", t -> tampered(ROLE, r -> r.headers.put("X-Amz-Security-Token",
            STRANGER.sessionToken())), UNTRUSTED, "SignatureDoesNotMatch", 1),
        row("unsigned session token swapped", t -> {
          Draft draft = draft(ROLE);
          draft.signed = java.util.List.of("content-type", "host", "x-amz-date", "x-minter-server-id");
          Request request = draft.sign(ROLE);
          request.headers.put("X-Amz-Security-Token", STRANGER.sessionToken());
          return request.evidence();
        }, UNTRUSTED, "STS error InvalidClientTokenId", 1),
        row("session token dropped", t -> tampered(ROLE, r -> r.headers.remove("X-Amz-Security-Token")),
            MALFORMED, "signed header 'x-amz-security-token' is not in the request", 0),
        // Minter's checks before forwarding: none of these may reach STS.
        row("other Action (AssumeRole)", t -> signed(ROLE, d -> d.body =
            "Action=AssumeRole&Version=2011-06-15&RoleArn=arn:aws:iam::111122223333:role/admin"), UNTRUSTED,
            "Action 'AssumeRole'", 0),
        row("extra parameter", t -> signed(ROLE, d -> d.body += "&DurationSeconds=900"), UNTRUSTED,
            "expected exactly Action=GetCallerIdentity", 0),
        row("repeated Action", t -> signed(ROLE, d -> d.body += "&Action=GetCallerIdentity"), UNTRUSTED,
            "repeats parameter 'Action'", 0),
        row("no Version", t -> signed(ROLE, d -> d.body = "Action=GetCallerIdentity"), UNTRUSTED,
            "expected exactly", 0),
        row("body not form data", t -> signed(ROLE, d -> d.body = "{\"Action\":\"GetCallerIdentity\"}"), MALFORMED,
            "not form data", 0),
        row("body bad percent-escape", t -> signed(ROLE, d -> d.body = "Action=Get%ZZ&Version=2011-06-15"),
            MALFORMED, "percent-escape", 0),
        row("method GET", t -> signed(ROLE, d -> d.method = "GET"), UNTRUSTED, "method is 'GET'", 0),
        row("wrong path", t -> signed(ROLE, d -> d.url = STS.endpoint() + "admin"), UNTRUSTED,
            "is not the configured STS endpoint", 0),
        row("wrong host", t -> signed(ROLE, d -> d.url = STS.endpoint().replace("127.0.0.1", "localhost")),
            UNTRUSTED, "is not the configured STS endpoint", 0),
        row("real AWS URL while Minter uses another endpoint", t -> signed(ROLE, d -> d.url =
            "https://sts.amazonaws.com/"), UNTRUSTED, "'https://sts.amazonaws.com/' is not the configured", 0),
        row("https instead of http", t -> signed(ROLE, d -> d.url = STS.endpoint().replace("http:", "https:")),
            UNTRUSTED, "is not the configured STS endpoint", 0),
        row("query-string signed request", t -> signed(ROLE, d -> d.url = STS.endpoint()
            + "?Action=GetCallerIdentity&Version=2011-06-15"), UNTRUSTED, "is not the configured STS endpoint", 0),
        row("Host header for another host", t -> signed(ROLE, d -> d.headers.put("Host", "sts.amazonaws.com")),
            UNTRUSTED, "Host header 'sts.amazonaws.com'", 0),
        row("missing Authorization", t -> tampered(ROLE, r -> r.headers.remove("Authorization")), MALFORMED,
            "no Authorization header", 0),
        row("SigV4a algorithm", t -> tampered(ROLE, r -> r.headers.compute("Authorization",
            (k, v) -> v.replace("AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256"))), MALFORMED,
            "'AWS4-ECDSA-P256-SHA256'", 0),
        row("garbled Authorization", t -> tampered(ROLE, r -> r.headers.put("Authorization",
            "AWS4-HMAC-SHA256 Signature=abc")), MALFORMED, "is not Credential=", 0),
        row("signed for service iam", t -> signed(ROLE, d -> d.service = "iam"), UNTRUSTED,
            "signed for service 'iam'", 0),
        row("credential date not the X-Amz-Date day", t -> tampered(ROLE, r -> r.headers.compute("Authorization",
            (k, v) -> v.replace("/20261201/", "/20261130/"))), UNTRUSTED, "credential date 20261130", 0),
        row("server-id header missing", t -> signed(ROLE, d -> d.headers.remove("X-Minter-Server-Id")), UNTRUSTED,
            "does not cover the 'x-minter-server-id' header", 0),
        row("server-id header not signed", t -> signed(ROLE, d -> d.signed = java.util.List.of(
            "content-type", "host", "x-amz-date", "x-amz-security-token")), UNTRUSTED,
            "does not cover the 'x-minter-server-id' header", 0),
        row("server-id for another server", t -> signed(ROLE, d -> d.headers.put("X-Minter-Server-Id",
            "vault.example")), UNTRUSTED, "server ID 'vault.example'", 0),
        row("host not signed", t -> signed(ROLE, d -> d.signed = java.util.List.of(
            "content-type", "x-amz-date", "x-amz-security-token", "x-minter-server-id")), UNTRUSTED,
            "does not cover the 'host' header", 0),
        row("X-Amz-Date missing", t -> tampered(ROLE, r -> r.headers.remove("X-Amz-Date")), MALFORMED,
            "signed header 'x-amz-date' is not in the request", 0),
        row("X-Amz-Date stale", t -> signed(ROLE, d -> at(d, NOW.minus(Duration.ofMinutes(6)))), UNTRUSTED,
            "more than PT5M", 0),
        row("X-Amz-Date in the future", t -> signed(ROLE, d -> at(d, NOW.plus(Duration.ofMinutes(2)))), UNTRUSTED,
            "in the future", 0),
        row("X-Amz-Date malformed", t -> signed(ROLE, d -> d.headers.put("X-Amz-Date", "20261201T10:00:00Z")),
            MALFORMED, "is not yyyyMMdd'T'HHmmss'Z'", 0),
        row("X-Amz-Date impossible", t -> signed(ROLE, d -> d.headers.put("X-Amz-Date", "20261301T100000Z")),
            MALFORMED, "is not yyyyMMdd'T'HHmmss'Z'", 0),
        row("replayed request", t -> {
          byte[] evidence = draft(ROLE).sign(ROLE).evidence();
          assertThat(t.attest(evidence)).isInstanceOf(Verified.class);
          return evidence;
        }, REPLAYED, "already used", 1),
        row("Content-Length not the body's", t -> signed(ROLE, d -> d.headers.put("Content-Length", "999")),
            MALFORMED, "Content-Length", 0),
        row("hop-by-hop header", t -> signed(ROLE, d -> d.headers.put("Transfer-Encoding", "chunked")), MALFORMED,
            "'Transfer-Encoding' may not be forwarded", 0),
        row("header with two values", t -> draft(ROLE).sign(ROLE).evidenceWithHeadersJson(
            "{\"Authorization\":[\"a\",\"b\"]}"), MALFORMED, "exactly one string value", 0),
        row("header repeated in another case", t -> draft(ROLE).sign(ROLE).evidenceWithHeadersJson(
            "{\"X-Amz-Date\":[\"20261201T100000Z\"],\"x-amz-date\":[\"20261201T095959Z\"]}"), MALFORMED,
            "appears more than once", 0),
        row("header value with CRLF", t -> tampered(ROLE, r -> r.headers.put("X-Extra", "a\r\nX-Injected: b")),
            MALFORMED, "not printable ASCII", 0),
        row("invalid header name", t -> tampered(ROLE, r -> r.headers.put("Bad Header", "x")), MALFORMED,
            "not a valid HTTP header name", 0),
        // STS's answer.
        row("STS 500", t -> withAnswer(new Canned(500, TestSts.errorXml("Receiver", "InternalFailure",
            "internal error"))), UNTRUSTED, "HTTP 500, STS error InternalFailure", 1),
        row("STS 503 not XML", t -> withAnswer(new Canned(503, "Service Unavailable")), UNTRUSTED,
            "HTTP 503 (STS answer is not well-formed XML", 1),
        row("STS redirect", t -> withAnswer(new Canned(302, "", Duration.ZERO,
            Map.of("Location", "http://127.0.0.1:1/")) ), UNTRUSTED, "HTTP 302", 1),
        row("STS unreachable", t -> {
          int port;
          try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
          }
          String closed = "http://127.0.0.1:" + port + "/";
          t.attestor = t.attestor(closed, "1s");
          return signed(ROLE, d -> d.url = closed);
        }, UNTRUSTED, "could not be reached", 0),
        row("STS too slow", t -> withAnswer(new Canned(200, success(), Duration.ofSeconds(3), Map.of())), UNTRUSTED,
            "did not answer within PT1S", 1),
        row("malformed STS XML", t -> withAnswer(new Canned(200, "<GetCallerIdentityResponse><Arn>")), UNTRUSTED,
            "not well-formed XML", 1),
        row("STS XML with external entity (XXE)", t -> withAnswer(new Canned(200, """
            <?xml version="1.0"?>
            <!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
            <GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>
            <Arn>&xxe;</Arn><UserId>AIDA</UserId><Account>111122223333</Account></GetCallerIdentityResult>
            </GetCallerIdentityResponse>""")), UNTRUSTED, "without a DOCTYPE", 1),
        row("STS XML with entity expansion", t -> withAnswer(new Canned(200, """
            <?xml version="1.0"?>
            <!DOCTYPE r [<!ENTITY a "arn:aws:sts::111122223333:assumed-role/analytics-agent/x">]>
            <GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>
            <Arn>&a;</Arn><UserId>AROA:x</UserId><Account>111122223333</Account></GetCallerIdentityResult>
            </GetCallerIdentityResponse>""")), UNTRUSTED, "without a DOCTYPE", 1),
        row("STS answer in another namespace", t -> withAnswer(new Canned(200, success()
            .replace("https://sts.amazonaws.com/doc/2011-06-15/", "https://evil.example/"))), UNTRUSTED,
            "not a GetCallerIdentityResponse in namespace", 1),
        row("STS 200 with an ErrorResponse", t -> withAnswer(new Canned(200, TestSts.errorXml("Sender",
            "AccessDenied", "no"))), UNTRUSTED, "not a GetCallerIdentityResponse", 1),
        row("STS answer without Arn", t -> withAnswer(new Canned(200, success()
            .replaceAll("<Arn>.*</Arn>", ""))), UNTRUSTED, "has 0 <Arn> elements", 1),
        row("STS answer with two Arns", t -> withAnswer(new Canned(200, success()
            .replace("<UserId>", "<Arn>arn:aws:iam::111122223333:user/x</Arn><UserId>"))), UNTRUSTED,
            "has 2 <Arn> elements", 1),
        row("STS answer with markup in Arn", t -> withAnswer(new Canned(200, success()
            .replace("<Arn>", "<Arn><b>x</b>"))), UNTRUSTED, "<Arn> is not plain text", 1),
        row("STS Account disagrees with ARN", t -> withAnswer(new Canned(200, success()
            .replace("<Account>" + ACCOUNT, "<Account>" + OTHER_ACCOUNT))), UNTRUSTED, "but the ARN's account", 1),
        row("STS answer oversized", t -> withAnswer(new Canned(200, success()
            .replace("<ResponseMetadata>", "<!--" + "x".repeat(20_000) + "--><ResponseMetadata>"))), UNTRUSTED,
            "larger than 16384 bytes", 1),
        // Who STS says signed it.
        row("root user", t -> signed(ROOT, d -> {}), UNTRUSTED, "root and federated users cannot attest", 1),
        row("federated user", t -> signed(FEDERATED, d -> {}), UNTRUSTED, "neither an assumed-role session", 1),
        row("account not allowed", t -> signed(STRANGER, d -> {}), UNTRUSTED,
            "AWS account 444455556666 of 'arn:aws:sts::444455556666:assumed-role/analytics-agent/s1' is not in", 1),
        row("role not allowed", t -> signed(ADMIN, d -> {}), UNTRUSTED,
            "principal 'arn:aws:iam::111122223333:role/admin' (caller", 1),
        // The payload itself.
        row("payload not JSON", t -> "iam_request_url=x".getBytes(StandardCharsets.UTF_8), MALFORMED,
            "not valid JSON", 0),
        row("payload a JSON array", t -> "[1,2]".getBytes(StandardCharsets.UTF_8), MALFORMED, "not a JSON object", 0),
        row("payload empty", t -> new byte[0], MALFORMED, "payload is empty", 0),
        row("payload oversized", t -> new byte[40_000], MALFORMED, "40000 bytes", 0),
        row("missing headers field", t -> json("{\"iam_http_request_method\":\"POST\",\"iam_request_url\":\"%s\","
            + "\"iam_request_body\":\"%s\"}"), MALFORMED, "lacks iam_request_headers", 0),
        row("method not a string", t -> json("{\"iam_http_request_method\":1,\"iam_request_url\":\"%s\","
            + "\"iam_request_body\":\"%s\",\"iam_request_headers\":\"e30=\"}"), MALFORMED,
            "iam_http_request_method is not a string", 0),
        row("unknown field", t -> json("{\"iam_http_request_method\":\"POST\",\"iam_request_url\":\"%s\","
            + "\"iam_request_body\":\"%s\",\"iam_request_headers\":\"e30=\",\"role\":\"admin\"}"), MALFORMED,
            "unknown field 'role'", 0),
        row("duplicate JSON key", t -> json("{\"iam_http_request_method\":\"POST\",\"iam_request_url\":\"%s\","
            + "\"iam_request_body\":\"%s\",\"iam_request_body\":\"e30=\",\"iam_request_headers\":\"e30=\"}"),
            MALFORMED, "Duplicate field", 0),
        row("duplicate JSON key in headers", t -> draft(ROLE).sign(ROLE).evidenceWithHeadersJson(
            "{\"Authorization\":[\"a\"],\"Authorization\":[\"b\"]}"), MALFORMED, "Duplicate field", 0),
        row("garbage base64 URL", t -> TestAwsSigner.evidence("POST", "%%%not-base64", b64("x"), b64("{}")),
            MALFORMED, "iam_request_url is not valid base64", 0),
        row("garbage base64 headers", t -> TestAwsSigner.evidence("POST", b64(STS.endpoint()),
            b64(TestAwsSigner.GET_CALLER_IDENTITY), "!!!!"), MALFORMED, "iam_request_headers is not valid base64", 0),
        row("headers not JSON", t -> TestAwsSigner.evidence("POST", b64(STS.endpoint()),
            b64(TestAwsSigner.GET_CALLER_IDENTITY), b64("Authorization: x")), MALFORMED,
            "iam_request_headers is not valid JSON", 0),
        row("URL not ASCII", t -> TestAwsSigner.evidence("POST", b64("http://127.0.0.1/é"),
            b64(TestAwsSigner.GET_CALLER_IDENTITY), b64("{}")), MALFORMED, "not printable ASCII", 0),
        row("oversized URL", t -> TestAwsSigner.evidence("POST", b64(STS.endpoint() + "a".repeat(600)),
            b64(TestAwsSigner.GET_CALLER_IDENTITY), b64("{}")), MALFORMED, "longer than 512 bytes", 0),
        row("oversized body", t -> TestAwsSigner.evidence("POST", b64(STS.endpoint()),
            b64(TestAwsSigner.GET_CALLER_IDENTITY + "&x=" + "a".repeat(600)), b64("{}")), MALFORMED,
            "iam_request_body is longer than 512 bytes", 0),
        row("oversized header value", t -> tampered(ROLE, r -> r.headers.put("X-Pad", "a".repeat(5000))), MALFORMED,
            "at most 4096 characters", 0),
        row("too many headers", t -> tampered(ROLE, r -> {
          for (int i = 0; i < 30; i++) {
            r.headers.put("X-Pad-" + i, "x");
          }
        }), MALFORMED, "headers (expected: <= 24)", 0));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("forgeries")
  void attest_forgedOrMalformed_rejectedBeforeOrByStsWithReason(
      Forgery forgery, Failure failure, String fragment, int stsRequests) throws Exception {
    byte[] evidence = forgery.make(this);

    AttestationResult result = attest(evidence);

    assertThat(result).isInstanceOfSatisfying(Rejected.class, r -> {
      assertThat(r.kind()).isEqualTo(AwsIamAttestor.KIND);
      assertThat(r.failure()).isEqualTo(failure);
      assertThat(r.reason()).contains(fragment).hasSizeLessThan(400);
      assertThat(r.reason()).doesNotContain(ROLE.secretKey()).doesNotContain(ROLE.sessionToken());
    });
    assertThat(STS.requests()).as("requests that reached STS").isEqualTo(stsRequests);
  }

  // ---- what passes ----

  @Test
  void attest_assumedRoleSession_verifiedAsRoleWithClaims() {
    AttestationResult result = attest(draft(ROLE).sign(ROLE).evidence());

    assertThat(result).isInstanceOfSatisfying(Verified.class, v -> {
      assertThat(v.identity().id()).isEqualTo("spiffe://minter.local/aws/111122223333/role/analytics-agent");
      assertThat(v.identity().attestorKind()).isEqualTo("aws_iam");
      assertThat(v.identity().claims()).containsExactlyInAnyOrderEntriesOf(Map.of(
          "aws.account", ACCOUNT,
          "aws.arn", "arn:aws:sts::111122223333:assumed-role/analytics-agent/task-42",
          "aws.user_id", "AROAEXAMPLEROLEID01:task-42",
          "aws.role", "analytics-agent",
          "aws.session", "task-42"));
    });
    assertThat(STS.requests()).isEqualTo(1);
  }

  @Test
  void attest_iamUserWithPath_verifiedAsUser() {
    AttestationResult result = attest(draft(USER).sign(USER).evidence());

    assertThat(result).isInstanceOfSatisfying(Verified.class, v -> {
      assertThat(v.identity().id()).isEqualTo("spiffe://minter.local/aws/111122223333/user/report-bot");
      assertThat(v.identity().claims())
          .containsEntry("aws.user", "report-bot")
          .containsEntry("aws.arn", "arn:aws:iam::111122223333:user/ci/report-bot")
          .doesNotContainKeys("aws.role", "aws.session");
    });
  }

  @Test
  void attest_freshRequestForEveryCall_eachVerified() {
    for (int i = 0; i < 3; i++) {
      assertThat(attest(draft(ROLE).sign(ROLE).evidence())).isInstanceOf(Verified.class);
    }
    assertThat(STS.requests()).isEqualTo(3);
  }

  @Test
  void attest_identicalRequestsSignedInTheSameSecond_secondIsAReplay() {
    Draft first = draft(ROLE);
    first.headers.remove("amz-sdk-invocation-id");
    Draft second = draft(ROLE);
    second.headers.remove("amz-sdk-invocation-id");

    assertThat(attest(first.sign(ROLE).evidence())).isInstanceOf(Verified.class);
    // SigV4 is deterministic: without a unique signed header the second request IS the first one.
    assertThat(attest(second.sign(ROLE).evidence())).isInstanceOfSatisfying(Rejected.class,
        r -> assertThat(r.failure()).isEqualTo(REPLAYED));
  }

  @Test
  void attest_signedJustWithinMaxAgeAndSkew_verified() {
    Draft draft = draft(ROLE);
    at(draft, NOW.minus(Duration.ofMinutes(5)).minus(Duration.ofSeconds(29)));

    assertThat(attest(draft.sign(ROLE).evidence())).isInstanceOf(Verified.class);
  }

  @Test
  void attest_hostHeaderSentAndSigned_verified() {
    Draft draft = draft(ROLE);
    draft.headers.put("Host", STS.endpoint().substring("http://".length(), STS.endpoint().length() - 1));

    assertThat(attest(draft.sign(ROLE).evidence())).isInstanceOf(Verified.class);
  }

  @Test
  void attest_otherEvidenceKind_malformed() {
    assertThat(attestor.attest(new Evidence("aws_iid", new byte[] {1}, java.util.List.of())))
        .isInstanceOfSatisfying(Rejected.class, r -> assertThat(r.failure()).isEqualTo(MALFORMED));
  }

  @Test
  void attest_replayAfterFreshnessWindow_refusedAsStaleNotForwarded() {
    byte[] evidence = draft(ROLE).sign(ROLE).evidence();
    assertThat(attest(evidence)).isInstanceOf(Verified.class);
    CLOCK.advance(Duration.ofMinutes(6));
    try {
      assertThat(attest(evidence)).isInstanceOfSatisfying(Rejected.class,
          r -> assertThat(r.reason()).contains("more than PT5M"));
    } finally {
      CLOCK.advance(Duration.ofMinutes(-6));
    }
    assertThat(STS.requests()).isEqualTo(1);
  }

  // ---- helpers ----

  private AttestationResult attest(byte[] evidence) {
    return attestor.attest(new Evidence(AwsIamAttestor.KIND, evidence, java.util.List.of()));
  }

  private Attestor attestor(String endpoint, String timeout) {
    String yaml = """
        sts_endpoint: %s
        allow_http_loopback: true
        server_id: %s
        accounts: ["%s"]
        role_arns: ["arn:aws:iam::%s:role/analytics-*", "arn:aws:iam::%s:user/ci/*", "arn:aws:sts::*:federated-user/*"]
        timeout: %s
        """.formatted(endpoint, SERVER_ID, ACCOUNT, ACCOUNT, ACCOUNT, timeout);
    try {
      JsonNode node = new ObjectMapper(new YAMLFactory()).readTree(yaml);
      AttestorEnvironment env = new AttestorEnvironment(CLOCK, Duration.ofSeconds(30), replay,
          new NonceStore(CLOCK, 10), HTTP, "minter.local", td -> Optional.empty(), Path.of("."));
      return AwsIamAttestor.fromConfig(node, env);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static TestSts startSts() {
    try {
      return new TestSts(CLOCK)
          .add(new Principal(ROLE, "arn:aws:sts::111122223333:assumed-role/analytics-agent/task-42",
              "AROAEXAMPLEROLEID01:task-42", ACCOUNT))
          .add(new Principal(USER, "arn:aws:iam::111122223333:user/ci/report-bot", "AIDAEXAMPLEUSERID01", ACCOUNT))
          .add(new Principal(STRANGER, "arn:aws:sts::444455556666:assumed-role/analytics-agent/s1",
              "AROAEXAMPLEOTHER001:s1", OTHER_ACCOUNT))
          .add(new Principal(ADMIN, "arn:aws:sts::111122223333:assumed-role/admin/s2", "AROAEXAMPLEADMIN001:s2",
              ACCOUNT))
          .add(new Principal(EXPIRED, "arn:aws:sts::111122223333:assumed-role/analytics-agent/old",
              "AROAEXAMPLEROLEID01:old", ACCOUNT, true))
          .add(new Principal(ROOT, "arn:aws:iam::111122223333:root", "111122223333", ACCOUNT))
          .add(new Principal(FEDERATED, "arn:aws:sts::111122223333:federated-user/bob", "111122223333:bob",
              ACCOUNT));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Draft draft(Credentials credentials) {
    return new Draft(credentials, STS.endpoint(), SERVER_ID, CLOCK.instant());
  }

  private static byte[] signed(Credentials credentials, Consumer<Draft> change) {
    Draft draft = draft(credentials);
    change.accept(draft);
    return draft.sign(credentials).evidence();
  }

  private static byte[] tampered(Credentials credentials, Consumer<Request> change) {
    Request request = draft(credentials).sign(credentials);
    change.accept(request);
    return request.evidence();
  }

  private static void at(Draft draft, Instant at) {
    draft.at = at;
    draft.headers.put("X-Amz-Date", java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
        .withZone(java.time.ZoneOffset.UTC).format(at));
  }

  /** A valid request while STS is made to answer {@code canned}. */
  private static byte[] withAnswer(Canned canned) {
    STS.answerWith(canned);
    return draft(ROLE).sign(ROLE).evidence();
  }

  private static String success() {
    return TestSts.successXml("arn:aws:sts::111122223333:assumed-role/analytics-agent/task-42",
        "AROAEXAMPLEROLEID01:task-42", ACCOUNT);
  }

  /** A payload from a JSON template whose two %s are the base64 URL and body. */
  private static byte[] json(String template) {
    return template.formatted(b64(STS.endpoint()), b64(TestAwsSigner.GET_CALLER_IDENTITY))
        .getBytes(StandardCharsets.UTF_8);
  }

  private static Arguments row(String name, Forgery forgery, Failure failure, String fragment, int stsRequests) {
    return arguments(Named.of(name, forgery), failure, fragment, stsRequests);
  }
}
