package dev.minter.delegation;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.minter.keys.OwnerOnlyFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.Optional;

/**
 * Minter's grant-signing key: one EC P-256 private JWK in a file readable by its owner only, generated on first
 * start (like the ledger key). Whoever reads it can forge delegation grants for any open task, so a file any group or
 * other user can access is refused. Messages name the file and the problem, never the key.
 */
public final class GrantKeyFile {
  private GrantKeyFile() {}

  /** Loads the key at {@code file}, creating it (mode 0600, parent directories 0700) if it does not exist. */
  public static ECKey loadOrCreate(Path file) {
    Path path = requireNonNull(file, "file").toAbsolutePath();
    try {
      if (Files.notExists(path)) {
        create(path);
      }
      return load(path);
    } catch (IOException e) {
      throw new UncheckedIOException("grant key file " + path + ": " + e.getMessage(), e);
    }
  }

  /** Written to a 0600 temporary file, synced, then linked into place: two first starts never replace each other. */
  private static void create(Path file) throws IOException {
    ECKey key;
    try {
      key = new ECKeyGenerator(Curve.P_256)
          .keyUse(KeyUse.SIGNATURE)
          .algorithm(JWSAlgorithm.ES256)
          .keyIDFromThumbprint(true)
          .generate();
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot generate an EC P-256 key", e);
    }
    OwnerOnlyFile.createOnce(file, key.toJSONString().getBytes(StandardCharsets.UTF_8));
  }

  private static ECKey load(Path file) throws IOException {
    // Whoever reads this key can forge delegation grants for any open task: owner-only is not negotiable.
    Optional<String> problem = OwnerOnlyFile.problem(file);
    if (problem.isPresent()) {
      throw new IllegalStateException("grant key file " + file + " " + problem.get()
          + "; other users could forge delegation grants: chmod 600 " + file);
    }
    ECKey key;
    try {
      key = ECKey.parse(Files.readString(file, StandardCharsets.UTF_8));
    } catch (ParseException e) {
      throw new IllegalStateException("grant key file " + file + " does not hold an EC JWK", e);
    }
    if (!key.isPrivate() || !Curve.P_256.equals(key.getCurve()) || key.getKeyID() == null) {
      throw new IllegalStateException(
          "grant key file " + file + " does not hold a private EC P-256 key with a kid (expected: as Minter writes it)");
    }
    return key;
  }
}
