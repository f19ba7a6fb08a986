package dev.minter.posture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minter.config.PostureSettings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PostureSourcesTest {
  @TempDir Path dir;

  @Test
  void build_noSection_isNone() throws Exception {
    assertThat(PostureSources.build(null, Clock.systemUTC())).isSameAs(PostureSource.NONE);
  }

  @Test
  void build_fileSection_readsTheFile() throws Exception {
    Path file = Files.writeString(dir.resolve("posture.yaml"), "\"spiffe://corp.example/**\": {patched: true}\n");
    PostureSettings settings = new PostureSettings("file", file, null, null, null, null, null, null, null);

    PostureSource source = PostureSources.build(settings, Clock.systemUTC());

    assertThat(source.signals(StaticPostureSourceTest.RESEARCH)).isEqualTo(Map.of("patched", true));
  }

  @Test
  void build_webhookSection_isAClosableWebhookSourceThatFailsClosed() throws Exception {
    PostureSettings settings = new PostureSettings(
        "webhook", null, null, URI.create("http://127.0.0.1:1/none"), null, null, null, null, Map.of("up", false));

    PostureSource source = PostureSources.build(settings, Clock.systemUTC());

    assertThat(source).isInstanceOf(WebhookPostureSource.class).isInstanceOf(AutoCloseable.class);
    assertThat(source.signals(StaticPostureSourceTest.RESEARCH)).isEqualTo(Map.of("up", false));
    ((AutoCloseable) source).close();
  }
}
