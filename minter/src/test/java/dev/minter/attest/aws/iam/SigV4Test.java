package dev.minter.attest.aws.iam;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pins the test-side SigV4 implementation to AWS's published signature test suite ("get-vanilla-query-order-key-case":
 * example secret key, 2011-09-09, us-east-1, service {@code host}), so the test STS verifies the real algorithm and
 * not a private variant that happens to agree with the test signer.
 */
class SigV4Test {
  private static final String SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

  @Test
  void canonicalRequest_awsExample_hashesToPublishedValue() {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Host", "host.foo.com");
    headers.put("Date", "Mon, 09 Sep 2011 23:36:00 GMT");

    String canonical = SigV4.canonicalRequest("GET", "/", "foo=Zoo&foo=aha", headers, new byte[0]);

    assertThat(canonical).isEqualTo("GET\n/\nfoo=Zoo&foo=aha\ndate:Mon, 09 Sep 2011 23:36:00 GMT\nhost:host.foo.com\n\n"
        + "date;host\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assertThat(SigV4.hex(SigV4.sha256(canonical.getBytes(StandardCharsets.UTF_8))))
        .isEqualTo("e25f777ba161a0f1baf778a87faf057187cf5987f17953320e3ca399feb5f00d");
  }

  @Test
  void signature_awsExample_isPublishedSignature() {
    String canonical = "GET\n/\nfoo=Zoo&foo=aha\ndate:Mon, 09 Sep 2011 23:36:00 GMT\nhost:host.foo.com\n\n"
        + "date;host\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    assertThat(SigV4.signature(SECRET, "20110909T233600Z", "us-east-1", "host", canonical))
        .isEqualTo("be7148d34ebccdc6423b19085378aa0bee970bdc61d144bd1a8c48c33079ab09");
  }

  @Test
  void canonicalRequest_headerValues_trimmedAndSpacesCollapsed() {
    String canonical = SigV4.canonicalRequest("POST", "/", "", Map.of("X-Amz-Date", "  a   b  "), new byte[0]);

    assertThat(canonical).contains("x-amz-date:a b\n");
  }
}
