package dev.minter.audit;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/**
 * Splits log text on {@code \n}, reporting whether the last line was terminated (an unterminated last line is a torn
 * write), bounding line length so a garbage file cannot exhaust memory, and — for bytes — decoding each line as strict
 * UTF-8 on its own so a bad byte is blamed on its own line. {@link BufferedReader#readLine} can do none of these.
 */
abstract sealed class LineReader {
  /** Far longer than any record Minter writes (values are capped at a few KiB). */
  static final int MAX = 1 << 20;

  /** One line without its terminator; {@code tooLong} lines have no text. */
  record Line(String text, boolean terminated, boolean tooLong) {}

  static LineReader of(InputStream in) {
    return new Bytes(new BufferedInputStream(in, 1 << 16));
  }

  static LineReader of(Reader in) {
    return new Chars(in instanceof BufferedReader b ? b : new BufferedReader(in, 1 << 16));
  }

  /**
   * The next line, or null at the end of the input.
   *
   * @throws CharacterCodingException if the line is not valid UTF-8 (the reader stays on the next line)
   */
  abstract Line next() throws IOException;

  private static final class Bytes extends LineReader {
    private final InputStream in;

    Bytes(InputStream in) {
      this.in = in;
    }

    @Override
    Line next() throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream(512);
      int b;
      while ((b = in.read()) != -1 && b != '\n') {
        if (line.size() == MAX) {
          return new Line("", false, true);
        }
        line.write(b);
      }
      if (b == -1 && line.size() == 0) {
        return null;
      }
      String text =
          StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(line.toByteArray())).toString();
      return new Line(text, b == '\n', false);
    }
  }

  private static final class Chars extends LineReader {
    private final Reader in;

    Chars(Reader in) {
      this.in = in;
    }

    @Override
    Line next() throws IOException {
      StringBuilder line = new StringBuilder(512);
      int c;
      while ((c = in.read()) != -1 && c != '\n') {
        if (line.length() == MAX) {
          return new Line("", false, true);
        }
        line.append((char) c);
      }
      if (c == -1 && line.isEmpty()) {
        return null;
      }
      return new Line(line.toString(), c == '\n', false);
    }
  }
}
