package dev.minter.attest.aws;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * The fields Minter uses from an EC2 instance identity document, read only from the content whose signature
 * verified. The document's other fields (architecture, privateIp, billingProducts, ...) are ignored, and unknown
 * fields are allowed because AWS adds fields over time; the fields used must be strings of the expected shape.
 *
 * @param accountId the 12-digit AWS account that owns the instance
 * @param instanceId e.g. {@code i-0123456789abcdef0}
 * @param region e.g. {@code us-east-1}
 * @param availabilityZone e.g. {@code us-east-1a}
 * @param imageId e.g. {@code ami-0123456789abcdef0}
 * @param instanceType e.g. {@code t3.micro}
 * @param pendingTime when the instance last entered the pending state (launch, or start after a stop)
 */
public record IidDocument(
    String accountId,
    String instanceId,
    String region,
    String availabilityZone,
    String imageId,
    String instanceType,
    Instant pendingTime) {
  static final Pattern ACCOUNT = Pattern.compile("[0-9]{12}");
  static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]{1,16}){1,3}-[0-9]{1,2}");
  private static final Pattern INSTANCE = Pattern.compile("i-[0-9a-f]{8,17}");
  /** Availability zones, AMI ids and instance types: plain ids (no separators a policy glob could trip on). */
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  public IidDocument {
    requireNonNull(accountId, "accountId");
    requireNonNull(instanceId, "instanceId");
    requireNonNull(region, "region");
    requireNonNull(availabilityZone, "availabilityZone");
    requireNonNull(imageId, "imageId");
    requireNonNull(instanceType, "instanceType");
    requireNonNull(pendingTime, "pendingTime");
  }

  /** Reads the signed document; a missing field, a wrong type or an unexpected shape is malformed evidence. */
  public static IidDocument parse(byte[] signedContent) throws IidRejection {
    JsonNode root = IidJson.object(signedContent, "document");
    String pending = field(root, "pendingTime", null);
    Instant pendingTime;
    try {
      pendingTime = Instant.parse(pending);
    } catch (DateTimeParseException e) {
      throw IidRejection.malformed("document field pendingTime " + IidJson.quote(pending) + " is not an ISO-8601 instant");
    }
    return new IidDocument(
        field(root, "accountId", ACCOUNT),
        field(root, "instanceId", INSTANCE),
        field(root, "region", REGION),
        field(root, "availabilityZone", PLAIN),
        field(root, "imageId", PLAIN),
        field(root, "instanceType", PLAIN),
        pendingTime);
  }

  private static String field(JsonNode root, String name, Pattern shape) throws IidRejection {
    JsonNode node = root.get(name);
    if (node == null || node.isNull()) {
      throw IidRejection.malformed("document has no " + name);
    }
    if (!node.isTextual()) {
      throw IidRejection.malformed("document field " + name + " is a " + node.getNodeType().name().toLowerCase()
          + " (expected: a string)");
    }
    String value = node.textValue();
    if (shape != null && !shape.matcher(value).matches()) {
      throw IidRejection.malformed("document field " + name + " " + IidJson.quote(value) + " has an unexpected form");
    }
    return value;
  }
}
