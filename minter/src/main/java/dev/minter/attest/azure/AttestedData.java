package dev.minter.attest.azure;

import dev.minter.attest.Reasons;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The signed content of an Azure attested document, e.g. {@code {"licenseType":"","nonce":"…","plan":{"name":"",
 * "product":"","publisher":""},"sku":"…","subscriptionId":"…","timeStamp":{"createdOn":"11/30/26 04:30:00 -0000",
 * "expiresOn":"11/30/26 10:30:00 -0000"},"vmId":"…"}}. Only ever parsed from bytes whose signature has verified.
 *
 * <p>Required: {@code nonce}, {@code subscriptionId} and {@code vmId} (GUIDs, normalized to lower case), and
 * {@code timeStamp.createdOn}/{@code expiresOn} in Azure's {@code MM/dd/yy HH:mm:ss Z} form. {@code sku} and
 * {@code licenseType} are optional (Azure adds them in later API versions, and only for some images) but must be
 * strings when present. Keys Azure may add later are ignored: they are signed, and nothing here reads them.
 */
public record AttestedData(
    String nonce,
    String subscriptionId,
    String vmId,
    Optional<String> sku,
    Optional<String> licenseType,
    Instant createdOn,
    Instant expiresOn) {

  /** Azure's timestamp form, e.g. {@code 11/30/26 04:30:00 -0000}; strict, so 13/45/26 is not a date. */
  static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("MM/dd/uu HH:mm:ss Z", Locale.ROOT).withResolverStyle(ResolverStyle.STRICT);
  private static final Pattern GUID =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  public AttestedData {
    requireNonNull(nonce, "nonce");
    requireNonNull(subscriptionId, "subscriptionId");
    requireNonNull(vmId, "vmId");
    requireNonNull(sku, "sku");
    requireNonNull(licenseType, "licenseType");
    requireNonNull(createdOn, "createdOn");
    requireNonNull(expiresOn, "expiresOn");
  }

  /** Parses verified content; every problem is {@link Refusal#malformed}. */
  public static AttestedData parse(byte[] content) throws Refusal {
    JsonNode root = StrictJson.readObject(content, "attested data");
    String nonce = requiredString(root, "nonce");
    String subscription = guid(requiredString(root, "subscriptionId"), "subscriptionId");
    String vm = guid(requiredString(root, "vmId"), "vmId");
    Optional<String> sku = optionalString(root, "sku");
    Optional<String> license = optionalString(root, "licenseType");
    JsonNode plan = root.get("plan");
    if (plan != null && !plan.isObject()) {
      throw Refusal.malformed("attested data 'plan' is " + type(plan) + " (expected: an object)");
    }
    JsonNode stamp = root.get("timeStamp");
    if (stamp == null) {
      throw Refusal.malformed("attested data has no 'timeStamp'");
    }
    if (!stamp.isObject()) {
      throw Refusal.malformed("attested data 'timeStamp' is " + type(stamp) + " (expected: an object)");
    }
    Instant created = timestamp(requiredString(stamp, "createdOn"), "createdOn");
    Instant expires = timestamp(requiredString(stamp, "expiresOn"), "expiresOn");
    return new AttestedData(nonce, subscription, vm, sku, license, created, expires);
  }

  /** True for a GUID in any case (what {@code subscriptionId} and {@code vmId} hold). */
  public static boolean isGuid(String s) {
    return GUID.matcher(s).matches();
  }

  private static String requiredString(JsonNode node, String key) throws Refusal {
    JsonNode value = node.get(key);
    if (value == null || value.isNull() || (value.isTextual() && value.textValue().isEmpty())) {
      throw Refusal.malformed("attested data has no '" + key + "'");
    }
    if (!value.isTextual()) {
      throw Refusal.malformed("attested data '" + key + "' is " + type(value) + " (expected: a string)");
    }
    return value.textValue();
  }

  private static Optional<String> optionalString(JsonNode node, String key) throws Refusal {
    JsonNode value = node.get(key);
    if (value == null) {
      return Optional.empty();
    }
    if (!value.isTextual()) {
      throw Refusal.malformed("attested data '" + key + "' is " + type(value) + " (expected: a string)");
    }
    return Optional.of(value.textValue());
  }

  private static String guid(String value, String key) throws Refusal {
    if (!isGuid(value)) {
      throw Refusal.malformed("attested data '" + key + "' " + Reasons.quote(value) + " is not a GUID");
    }
    return value.toLowerCase(Locale.ROOT);
  }

  private static Instant timestamp(String value, String key) throws Refusal {
    try {
      return OffsetDateTime.parse(value, TIMESTAMP).toInstant();
    } catch (DateTimeParseException e) {
      throw Refusal.malformed("attested data 'timeStamp." + key + "' " + Reasons.quote(value)
          + " is not a time (expected: MM/dd/yy HH:mm:ss Z, e.g. 11/30/26 04:30:00 -0000)");
    }
  }

  private static String type(JsonNode node) {
    return switch (node.getNodeType()) {
      case OBJECT -> "an object";
      case ARRAY -> "an array";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      case STRING -> "a string";
      default -> "a " + node.getNodeType().name().toLowerCase(Locale.ROOT);
    };
  }
}
