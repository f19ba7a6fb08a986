package dev.minter.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.minter.policy.Durations;
import java.time.Duration;

/** Reads a {@link MinterConfig} from YAML; unknown keys are errors, relative paths resolve against the file's folder. */
public final class ConfigLoader {
  private static final String BASE_DIR = "minter.baseDir";

  private ConfigLoader() {}

  public static MinterConfig load(Path file) {
    Path base = file.toAbsolutePath().getParent();
    try {
      MinterConfig config =
          mapper().readerFor(MinterConfig.class).withAttribute(BASE_DIR, base).readValue(Files.readString(file));
      return config.withBaseDir(base);
    } catch (IOException | IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException("config " + file + ": " + rootMessage(e), e);
    }
  }

  /**
   * Reads one attestor's (or other component's) settings into {@code type} with the same rules as the main file:
   * unknown keys are errors, durations in operator form, relative paths against {@code baseDir}.
   *
   * @throws IllegalArgumentException naming the offending setting
   */
  public static <T> T convert(JsonNode node, Class<T> type, Path baseDir) {
    try {
      ObjectMapper mapper = mapper();
      return mapper.readerFor(type).withAttribute(BASE_DIR, baseDir).readValue(mapper.treeAsTokens(node));
    } catch (IOException | IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException(rootMessage(e), e);
    }
  }

  private static ObjectMapper mapper() {
    SimpleModule module = new SimpleModule("minter-config");
    module.addDeserializer(Path.class, new PathDeserializer());
    module.addDeserializer(Duration.class, new DurationDeserializer());
    return new ObjectMapper(new YAMLFactory())
        .registerModule(module)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String message = t.getMessage() == null ? t.toString() : t.getMessage();
    return message.lines().findFirst().orElse(message);
  }

  private static final class PathDeserializer extends JsonDeserializer<Path> {
    @Override
    public Path deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
      Path base = (Path) ctx.getAttribute(BASE_DIR);
      Path path = Path.of(p.getValueAsString());
      return base == null || path.isAbsolute() ? path : base.resolve(path).normalize();
    }
  }

  private static final class DurationDeserializer extends JsonDeserializer<Duration> {
    private static final java.util.regex.Pattern MILLIS = java.util.regex.Pattern.compile("\\d{1,9}ms");

    @Override
    public Duration deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
      String text = p.getValueAsString();
      // Milliseconds only here, not in the policy file: network timeouts want them, credential TTLs never do.
      if (MILLIS.matcher(text).matches()) {
        return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
      }
      return Durations.parse(text)
          .orElseThrow(() -> new IllegalArgumentException(
              "'" + text + "' is not a duration (expected e.g. 500ms, 90s, 15m, 1h30m or PT15M)"));
    }
  }
}
