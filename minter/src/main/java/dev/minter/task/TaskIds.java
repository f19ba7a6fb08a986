package dev.minter.task;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Task ids: {@code tsk_} and 96 random bits. Unguessable, so an id alone reveals nothing and grants nothing. */
final class TaskIds {
  private static final SecureRandom RANDOM = new SecureRandom();

  private TaskIds() {}

  static String next() {
    byte[] bytes = new byte[12];
    RANDOM.nextBytes(bytes);
    return "tsk_" + HexFormat.of().formatHex(bytes);
  }
}
