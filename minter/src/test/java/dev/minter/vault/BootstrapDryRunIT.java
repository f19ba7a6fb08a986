package dev.minter.vault;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.minter.testing.RealStack;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code bootstrap.sh --dry-run} against the running OpenBao prints what it would do and changes nothing. */
class BootstrapDryRunIT {
  @Test
  void dryRun_againstConfiguredOpenBao_changesNothing() throws Exception {
    RealStack stack = RealStack.get();
    JsonNode policiesBefore = stack.asRoot("LIST", "sys/policies/acl", null).body().path("data").path("keys");
    JsonNode roleBefore = stack.asRoot("GET", "auth/token/roles/minter-task", null).body().path("data");
    JsonNode mountsBefore = stack.asRoot("GET", "sys/mounts", null).body().path("data").path("kv/");

    ProcessBuilder pb = new ProcessBuilder("bash", stack.repoRoot().resolve("vault-policies/bootstrap.sh").toString(), "--dry-run")
        .redirectErrorStream(true);
    pb.environment().put("BAO_ADDR", stack.baoAddr());
    pb.environment().put("BAO_TOKEN", stack.rootToken().reveal());
    pb.environment().remove("VAULT_TOKEN");
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();

    assertThat(p.exitValue()).as(output).isZero();
    assertThat(output).contains("dry-run: would run:").contains("auth/token/roles/minter-task")
        .contains("dry-run: done; nothing was changed").doesNotContain(stack.rootToken().reveal());
    assertThat(stack.asRoot("LIST", "sys/policies/acl", null).body().path("data").path("keys")).isEqualTo(policiesBefore);
    assertThat(stack.asRoot("GET", "auth/token/roles/minter-task", null).body().path("data")).isEqualTo(roleBefore);
    assertThat(stack.asRoot("GET", "sys/mounts", null).body().path("data").path("kv/")).isEqualTo(mountsBefore);
  }
}
