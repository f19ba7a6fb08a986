package dev.minter.task;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.function.Supplier;

/**
 * The id of the request being served on this thread. Clients see it in error messages; the log and the audit
 * records carry it, so an operator can find the detail behind a short message. Set by the API edge.
 */
public final class RequestIds {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final ThreadLocal<String> CURRENT = new ThreadLocal<>();

  private RequestIds() {}

  /** A fresh id, e.g. {@code req_3f9a0c1b2d4e}. */
  public static String next() {
    byte[] bytes = new byte[6];
    RANDOM.nextBytes(bytes);
    return "req_" + HexFormat.of().formatHex(bytes);
  }

  /** The id of the current request, or null outside one. */
  public static String current() {
    return CURRENT.get();
  }

  /** Runs {@code body} with {@code id} as the current request id. */
  public static <T> T with(String id, Supplier<T> body) {
    String previous = CURRENT.get();
    CURRENT.set(id);
    try {
      return body.get();
    } finally {
      if (previous == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(previous);
      }
    }
  }
}
