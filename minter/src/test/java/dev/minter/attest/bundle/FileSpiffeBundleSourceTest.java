package dev.minter.attest.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.ECKey;
import dev.minter.attest.TestClock;
import dev.minter.tls.DevCa;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSpiffeBundleSourceTest {
  private static final String TD = "corp.example";
  private static final Duration RECHECK = Duration.ofSeconds(5);

  @TempDir Path dir;
  private final TestClock clock = Fixtures.clock();
  private final ECKey oldKey = Fixtures.ecKey("old");
  private final ECKey newKey = Fixtures.ecKey("new");
  private DevCa oldCa;
  private DevCa newCa;
  private Path file;
  private FileSpiffeBundleSource source;

  @BeforeEach
  void setUp() throws IOException {
    oldCa = Fixtures.ca(TD, clock);
    newCa = Fixtures.ca(TD, clock);
    file = dir.resolve("corp.json");
    Files.writeString(file, Fixtures.bundle(TD, List.of(oldCa), List.of(oldKey), 1, null).toJson());
    source = new FileSpiffeBundleSource(Map.of(TD, file), clock, RECHECK);
  }

  @Test
  void bundleFor_validFile_givesX509AndJwtAuthorities() {
    assertThat(source.bundleFor(TD)).hasValue(java.util.Set.of(oldCa.certificate()));
    assertThat(source.jwtBundleFor(TD).orElseThrow().find("old")).isPresent();
    assertThat(source.jwtBundleFor(TD).orElseThrow().find("new")).isEmpty();
  }

  @Test
  void bundleFor_unconfiguredDomain_empty() {
    assertThat(source.bundleFor("other.example")).isEmpty();
    assertThat(source.jwtBundleFor("other.example")).isEmpty();
  }

  @Test
  void jwtBundleFor_fileRotated_newKeyAcceptedRemovedKeyNotWithoutRestart() throws IOException {
    var jwks = source.jwtBundleFor(TD).orElseThrow(); // a view taken before the rotation keeps working
    Files.writeString(file, Fixtures.bundle(TD, List.of(newCa), List.of(newKey), 2, null).toJson());
    clock.advance(RECHECK);

    assertThat(jwks.find("new")).isPresent();
    assertThat(jwks.find("old")).isEmpty();
    assertThat(source.bundleFor(TD)).hasValue(java.util.Set.of(newCa.certificate()));
  }

  @Test
  void bundleFor_changedWithinRecheckInterval_notYetReread() throws IOException {
    Files.writeString(file, Fixtures.bundle(TD, List.of(newCa), List.of(newKey), 2, null).toJson());
    clock.advance(RECHECK.minusMillis(1));

    assertThat(source.bundleFor(TD)).hasValue(java.util.Set.of(oldCa.certificate()));
  }

  @Test
  void bundleFor_fileBrokenThenFixed_keepsLastGoodThenTakesTheFix() throws IOException {
    for (String broken : List.of("{\"keys\":[", "{\"keys\":[]}", "{\"keys\":[{\"kty\":\"oct\",\"use\":\"jwt-svid\","
        + "\"kid\":\"s\",\"k\":\"c2VjcmV0\"}]}")) {
      Files.writeString(file, broken);
      clock.advance(RECHECK);
      assertThat(source.bundleFor(TD)).hasValue(java.util.Set.of(oldCa.certificate()));
      assertThat(source.jwtBundleFor(TD).orElseThrow().find("old")).isPresent();
    }
    Files.delete(file);
    clock.advance(RECHECK);
    assertThat(source.bundleFor(TD)).hasValue(java.util.Set.of(oldCa.certificate()));

    Files.writeString(file, Fixtures.bundle(TD, List.of(oldCa, newCa), List.of(newKey), 3, null).toJson());
    clock.advance(RECHECK);
    assertThat(source.bundleFor(TD).orElseThrow()).hasSize(2);
  }

  @Test
  void constructor_brokenOrMissingFile_failsAtStartup() throws IOException {
    Files.writeString(dir.resolve("bad.json"), "{\"keys\":[]}");

    assertThatThrownBy(() -> new FileSpiffeBundleSource(Map.of(TD, dir.resolve("bad.json")), clock))
        .isInstanceOf(BundleFormatException.class).hasMessageContaining("holds no authority");
    assertThatThrownBy(() -> new FileSpiffeBundleSource(Map.of(TD, dir.resolve("missing.json")), clock))
        .isInstanceOf(IOException.class);
    assertThatThrownBy(() -> new FileSpiffeBundleSource(Map.of("Bad_TD!", file), clock))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
