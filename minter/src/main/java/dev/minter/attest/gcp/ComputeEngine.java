package dev.minter.attest.gcp;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jwt.JWTClaimsSet;
import java.text.ParseException;
import java.util.Map;

/**
 * The instance details Google puts in an instance identity token requested with {@code format=full}, under
 * {@code google.compute_engine}: {@code project_id}, {@code project_number}, {@code zone}, {@code instance_id},
 * {@code instance_name}, {@code instance_creation_timestamp} (and {@code license_id} when licenses were asked for,
 * which Minter does not use). Also the service account the instance ran as: {@code email} and its unique id
 * {@code sub}.
 */
public record ComputeEngine(
    String projectId,
    String projectNumber,
    String zone,
    String instanceId,
    String instanceName,
    String serviceAccount,
    String serviceAccountId) {
  /** Longer than any real project, zone, instance or e-mail value. */
  static final int MAX_VALUE = 255;

  public ComputeEngine {
    requireNonNull(projectId, "projectId");
    requireNonNull(projectNumber, "projectNumber");
    requireNonNull(zone, "zone");
    requireNonNull(instanceId, "instanceId");
    requireNonNull(instanceName, "instanceName");
    requireNonNull(serviceAccount, "serviceAccount");
    requireNonNull(serviceAccountId, "serviceAccountId");
  }

  /**
   * Reads the details from verified claims.
   *
   * @throws IllegalArgumentException naming the missing or mistyped claim (the token is malformed for this kind)
   */
  public static ComputeEngine from(JWTClaimsSet claims) {
    Map<String, Object> google;
    try {
      google = claims.getJSONObjectClaim("google");
    } catch (ParseException e) {
      throw new IllegalArgumentException("claim 'google' is not an object");
    }
    if (google == null || !(google.get("compute_engine") instanceof Map<?, ?> ce)) {
      throw new IllegalArgumentException(
          "token has no google.compute_engine claims (request it from the metadata server with format=full)");
    }
    return new ComputeEngine(
        text(ce, "project_id"),
        number(ce, "project_number"),
        text(ce, "zone"),
        text(ce, "instance_id"),
        text(ce, "instance_name"),
        text(claims.getClaims(), "email"),
        text(claims.getClaims(), "sub"));
  }

  private static String text(Map<?, ?> map, String name) {
    if (!(map.get(name) instanceof String s) || s.isEmpty() || s.length() > MAX_VALUE) {
      throw new IllegalArgumentException("claim '" + name + "' is missing, empty, not a string or too long");
    }
    return s;
  }

  private static String number(Map<?, ?> map, String name) {
    Object value = map.get(name);
    if (value instanceof Long || value instanceof Integer) {
      return value.toString();
    }
    if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && n.doubleValue() >= 0
        && n.doubleValue() < 1e15) {
      return Long.toString(n.longValue());
    }
    throw new IllegalArgumentException("claim '" + name + "' is missing or not a whole number");
  }
}
