package dev.minter.delegation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GrantKeyFileTest {
  @TempDir Path dir;

  @Test
  void loadOrCreate_firstStart_writesOwnerOnlyP256Key_andLoadsTheSameKeyAgain() throws Exception {
    Path file = dir.resolve("state/delegation-grant.jwk");

    ECKey created = GrantKeyFile.loadOrCreate(file);
    ECKey loaded = GrantKeyFile.loadOrCreate(file);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
    assertThat(created.isPrivate()).isTrue();
    assertThat(created.getCurve()).isEqualTo(Curve.P_256);
    assertThat(loaded).isEqualTo(created);
  }

  @Test
  void loadOrCreate_groupReadable_refusedNamingTheFix() throws Exception {
    Path file = dir.resolve("delegation-grant.jwk");
    GrantKeyFile.loadOrCreate(file);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));

    assertThatThrownBy(() -> GrantKeyFile.loadOrCreate(file))
        .hasMessageContaining("rw-r-----")
        .hasMessageContaining("chmod 600");
  }

  @Test
  void loadOrCreate_publicKeyOnly_refused() throws Exception {
    Path file = dir.resolve("delegation-grant.jwk");
    ECKey key = GrantKeyFile.loadOrCreate(file);
    Files.writeString(file, key.toPublicJWK().toJSONString());

    assertThatThrownBy(() -> GrantKeyFile.loadOrCreate(file)).hasMessageContaining("private EC P-256");
  }

  @Test
  void toString_signer_neverShowsTheKey() {
    ECKey key = GrantKeyFile.loadOrCreate(dir.resolve("k.jwk"));
    GrantTokens tokens = new GrantTokens(key, java.time.Duration.ofMinutes(5), java.time.Clock.systemUTC());

    assertThat(tokens.toString()).doesNotContain(key.getD().toString()).contains("redacted");
  }
}
