package dev.minter.attest.k8s;

import dev.minter.attest.Reasons;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jwt.JWTClaimsSet;
import java.text.ParseException;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The Kubernetes-specific claims of a verified projected service-account token:
 * {@code sub = system:serviceaccount:<namespace>:<name>} and the {@code kubernetes.io} object
 * ({@code namespace}, {@code serviceaccount{name,uid}}, and for pod-bound tokens {@code pod{name,uid}} and, since
 * Kubernetes 1.30, {@code node{name,uid}}). The two must agree: a token whose {@code sub} names one service account
 * and whose {@code kubernetes.io} names another was not made by an API server.
 *
 * @param pod the pod the token is bound to, if any (absent for {@code kubectl create token} and secret-bound tokens)
 * @param node the node the pod runs on, if the API server says
 */
public record ServiceAccountToken(
    String namespace, String name, String uid, Optional<ObjectRef> pod, Optional<ObjectRef> node) {
  private static final String SUB_PREFIX = "system:serviceaccount:";
  /** RFC 1123 label: what Kubernetes allows for namespace names. */
  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  /** RFC 1123 subdomain: what Kubernetes allows for service account names. */
  private static final Pattern SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

  public ServiceAccountToken {
    requireNonNull(namespace, "namespace");
    requireNonNull(name, "name");
    requireNonNull(uid, "uid");
    requireNonNull(pod, "pod");
    requireNonNull(node, "node");
  }

  /** A Kubernetes object a token is bound to. */
  public record ObjectRef(String name, String uid) {}

  /** A token whose Kubernetes claims do not hold; {@code malformed} when a claim is missing or of the wrong type. */
  public static final class InvalidClaims extends Exception {
    private final boolean malformed;

    InvalidClaims(String message, boolean malformed) {
      super(message, null, false, false);
      this.malformed = malformed;
    }

    public boolean malformed() {
      return malformed;
    }
  }

  /** Reads and cross-checks the Kubernetes claims of an already verified token. */
  public static ServiceAccountToken from(JWTClaimsSet claims) throws InvalidClaims {
    String sub = claims.getSubject();
    if (sub == null) {
      throw new InvalidClaims("missing 'sub' claim", true);
    }
    if (!sub.startsWith(SUB_PREFIX)) {
      throw new InvalidClaims("'sub' " + quote(sub) + " is not a service account (expected: system:serviceaccount:"
          + "<namespace>:<name>)", false);
    }
    String[] parts = sub.substring(SUB_PREFIX.length()).split(":", -1);
    if (parts.length != 2 || !NAMESPACE.matcher(parts[0]).matches() || !SUBDOMAIN.matcher(parts[1]).matches()) {
      throw new InvalidClaims("'sub' " + quote(sub) + " is not system:serviceaccount:<namespace>:<name>", false);
    }
    Map<String, Object> k8s;
    try {
      k8s = claims.getJSONObjectClaim("kubernetes.io");
    } catch (ParseException e) {
      throw new InvalidClaims("'kubernetes.io' claim is not an object", true);
    }
    if (k8s == null) {
      throw new InvalidClaims("missing 'kubernetes.io' claim (not a projected service-account token)", true);
    }
    String namespace = string(k8s, "namespace", "kubernetes.io.namespace");
    ObjectRef sa = ref(k8s, "serviceaccount").orElseThrow(
        () -> new InvalidClaims("missing 'kubernetes.io.serviceaccount' claim", true));
    if (!parts[0].equals(namespace)) {
      throw new InvalidClaims("'sub' namespace " + quote(parts[0]) + " differs from kubernetes.io.namespace "
          + quote(namespace), false);
    }
    if (!parts[1].equals(sa.name())) {
      throw new InvalidClaims("'sub' service account " + quote(parts[1]) + " differs from "
          + "kubernetes.io.serviceaccount.name " + quote(sa.name()), false);
    }
    return new ServiceAccountToken(namespace, sa.name(), sa.uid(), ref(k8s, "pod"), ref(k8s, "node"));
  }

  private static Optional<ObjectRef> ref(Map<String, Object> k8s, String key) throws InvalidClaims {
    Object value = k8s.get(key);
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof Map<?, ?> map)) {
      throw new InvalidClaims("'kubernetes.io." + key + "' claim is not an object", true);
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) map;
    String where = "kubernetes.io." + key;
    return Optional.of(new ObjectRef(string(m, "name", where + ".name"), string(m, "uid", where + ".uid")));
  }

  private static String string(Map<String, Object> map, String key, String where) throws InvalidClaims {
    Object value = map.get(key);
    if (!(value instanceof String s) || s.isEmpty()) {
      throw new InvalidClaims(value == null ? "missing '" + where + "' claim" : "'" + where + "' is not a non-empty "
          + "string", true);
    }
    return s;
  }

  /** Caller-chosen text in a reason: printable ASCII only, bounded. */
  static String quote(String s) {
    return Reasons.quote(s);
  }
}
