package dev.minter.attest.aws.iam;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * AWS Signature Version 4 (header auth, HMAC-SHA256), written independently of Minter's code for its tests: the test
 * signer signs with it and the test STS verifies with it, exactly as AWS documents the algorithm (canonical request,
 * string to sign, the kDate → kRegion → kService → kSigning HMAC chain). {@code SigV4Test} pins it to AWS's
 * published example.
 */
public final class SigV4 {
  public static final String ALGORITHM = "AWS4-HMAC-SHA256";

  private SigV4() {}

  /**
   * The canonical request.
   *
   * @param headers header name (any case) → value, for exactly the headers to sign
   */
  public static String canonicalRequest(String method, String path, String query, Map<String, String> headers,
      byte[] body) {
    Map<String, String> canonical = new TreeMap<>();
    headers.forEach((name, value) -> canonical.put(name.toLowerCase(), value.strip().replaceAll(" +", " ")));
    StringBuilder sb = new StringBuilder()
        .append(method).append('\n')
        .append(path).append('\n')
        .append(query).append('\n');
    canonical.forEach((name, value) -> sb.append(name).append(':').append(value).append('\n'));
    return sb.append('\n')
        .append(String.join(";", canonical.keySet())).append('\n')
        .append(hex(sha256(body)))
        .toString();
  }

  public static String stringToSign(String amzDate, String scope, String canonicalRequest) {
    return ALGORITHM + "\n" + amzDate + "\n" + scope + "\n"
        + hex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
  }

  public static byte[] signingKey(String secretKey, String date, String region, String service) {
    byte[] kDate = hmac(("AWS4" + secretKey).getBytes(StandardCharsets.UTF_8), date);
    byte[] kRegion = hmac(kDate, region);
    byte[] kService = hmac(kRegion, service);
    return hmac(kService, "aws4_request");
  }

  /** The hex signature of {@code canonicalRequest} made at {@code amzDate} for {@code region}/{@code service}. */
  public static String signature(String secretKey, String amzDate, String region, String service,
      String canonicalRequest) {
    String date = amzDate.substring(0, 8);
    String scope = date + "/" + region + "/" + service + "/aws4_request";
    return hex(hmac(signingKey(secretKey, date, region, service), stringToSign(amzDate, scope, canonicalRequest)));
  }

  /** The Authorization header value. */
  public static String authorization(String accessKeyId, String amzDate, String region, String service,
      List<String> signedHeaders, String signature) {
    return ALGORITHM + " Credential=" + accessKeyId + "/" + amzDate.substring(0, 8) + "/" + region + "/" + service
        + "/aws4_request, SignedHeaders=" + String.join(";", signedHeaders) + ", Signature=" + signature;
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
