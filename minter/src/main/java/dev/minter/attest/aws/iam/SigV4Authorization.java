package dev.minter.attest.aws.iam;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The parts of an {@code Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…} header that
 * Minter checks before forwarding. Minter cannot verify the signature (it has no AWS secret); STS does. What Minter
 * can do is make sure the signature <em>covers</em> what binds the request to this server and this moment.
 *
 * @param accessKeyId the signer's access key ID (not secret)
 * @param date the credential scope date, {@code yyyyMMdd}
 * @param region the credential scope region
 * @param service the credential scope service; must be {@code sts}
 * @param signedHeaders the lowercase, sorted names of the headers the signature covers
 * @param signature the 64 hex digits of the signature: unique per request, so it is the replay key
 */
public record SigV4Authorization(
    String accessKeyId, String date, String region, String service, List<String> signedHeaders, String signature) {
  static final String ALGORITHM = "AWS4-HMAC-SHA256";
  private static final Pattern ACCESS_KEY = Pattern.compile("[A-Z0-9]{16,128}");
  private static final Pattern DATE = Pattern.compile("[0-9]{8}");
  private static final Pattern REGION = Pattern.compile("[a-z0-9-]{1,32}");
  private static final Pattern HEADER = Pattern.compile("[a-z0-9!#$%&'*+.^_`|~-]+");
  private static final Pattern SIGNATURE = Pattern.compile("[0-9a-f]{64}");

  public SigV4Authorization {
    requireNonNull(accessKeyId, "accessKeyId");
    requireNonNull(date, "date");
    requireNonNull(region, "region");
    requireNonNull(service, "service");
    signedHeaders = List.copyOf(signedHeaders);
    requireNonNull(signature, "signature");
  }

  /** Parses the header value; anything but a well-formed SigV4 header-auth value is malformed evidence. */
  public static SigV4Authorization parse(String value) throws IamRejection {
    if (!value.startsWith(ALGORITHM + " ")) {
      String algorithm = value.contains(" ") ? value.substring(0, value.indexOf(' ')) : value;
      throw IamRejection.malformed(
          "Authorization uses " + IamRejection.quote(algorithm) + " (expected: " + ALGORITHM + ")");
    }
    Map<String, String> parts = new HashMap<>();
    for (String part : value.substring(ALGORITHM.length() + 1).split(",", -1)) {
      String p = part.strip();
      int eq = p.indexOf('=');
      if (eq <= 0 || parts.put(p.substring(0, eq), p.substring(eq + 1)) != null) {
        throw IamRejection.malformed("Authorization is not Credential=…, SignedHeaders=…, Signature=…");
      }
    }
    if (parts.size() != 3 || !parts.keySet().containsAll(List.of("Credential", "SignedHeaders", "Signature"))) {
      throw IamRejection.malformed("Authorization is not Credential=…, SignedHeaders=…, Signature=…");
    }
    String[] scope = parts.get("Credential").split("/", -1);
    if (scope.length != 5 || !ACCESS_KEY.matcher(scope[0]).matches() || !DATE.matcher(scope[1]).matches()
        || !REGION.matcher(scope[2]).matches() || !"aws4_request".equals(scope[4])) {
      throw IamRejection.malformed("Authorization Credential is not AKID/yyyyMMdd/region/service/aws4_request");
    }
    List<String> signed = Arrays.asList(parts.get("SignedHeaders").split(";", -1));
    for (int i = 0; i < signed.size(); i++) {
      boolean sorted = i == 0 || signed.get(i - 1).compareTo(signed.get(i)) < 0;
      if (!HEADER.matcher(signed.get(i)).matches() || !sorted) {
        throw IamRejection.malformed("Authorization SignedHeaders is not a sorted list of lowercase header names");
      }
    }
    String signature = parts.get("Signature");
    if (!SIGNATURE.matcher(signature).matches()) {
      throw IamRejection.malformed("Authorization Signature is not 64 lowercase hex digits");
    }
    return new SigV4Authorization(scope[0], scope[1], scope[2], scope[3], signed, signature);
  }
}
