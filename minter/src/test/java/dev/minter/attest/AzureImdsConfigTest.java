package dev.minter.attest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.minter.attest.AttestationResult.Verified;
import dev.minter.tls.Pem;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code attestors.azure_imds} section: what it accepts, what it refuses, and that the kind is registered. */
class AzureImdsConfigTest {
  @TempDir Path dir;
  private AttestorEnvironment env;
  private final AzureImdsAttestorTest.Fixture fx = new AzureImdsAttestorTest.Fixture();

  @BeforeEach
  void setUp() throws IOException {
    Pem.writeCertificates(dir.resolve("azure-roots.pem"), List.of(AzureImdsAttestorTest.AZ.root().certificate()));
    Pem.writeCertificates(dir.resolve("azure-intermediates.pem"),
        List.of(AzureImdsAttestorTest.AZ.intermediate().certificate()));
    env = new AttestorEnvironment(fx.clock, Duration.ofSeconds(30), new InMemoryReplayGuard(fx.clock, 100), fx.nonces,
        HttpClient.newHttpClient(), "minter.local", td -> Optional.empty(), dir);
  }

  @Test
  void attestorsBuild_sectionWithRelativePaths_enablesAWorkingAzureAttestor() throws Exception {
    Attestors attestors = Attestors.build(Map.of("azure_imds", yaml("""
        roots: azure-roots.pem
        intermediates: azure-intermediates.pem
        subscriptions: ["%s"]
        """.formatted(AzureImdsAttestorTest.SUB))), env, false);

    assertThat(attestors.kinds()).containsExactly("azure_imds");
    assertThat(attestors.attest(new Evidence("azure_imds", fx.valid(), List.of()))).isInstanceOf(Verified.class);
  }

  @Test
  void fromConfig_allKeys_accepted() throws Exception {
    AzureImdsAttestor attestor = AzureImdsAttestor.fromConfig(yaml("""
        roots: azure-roots.pem
        intermediates: azure-intermediates.pem
        signer_name: metadata.azure.com
        subscriptions: ["%s"]
        vm_ids: ["%s"]
        """.formatted(AzureImdsAttestorTest.SUB, AzureImdsAttestorTest.VM)), env);

    assertThat(attestor.kind()).isEqualTo("azure_imds");
  }

  @Test
  void fromConfig_missingRoots_throwsNamingRoots() {
    assertThatThrownBy(() -> AzureImdsAttestor.fromConfig(yaml("subscriptions: [\"" + AzureImdsAttestorTest.SUB
        + "\"]"), env))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("roots: missing");
  }

  @Test
  void fromConfig_noSubscriptions_throwsNamingSubscriptions() {
    assertThatThrownBy(() -> AzureImdsAttestor.fromConfig(yaml("roots: azure-roots.pem"), env))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("subscriptions: empty");
  }

  @Test
  void fromConfig_subscriptionNotAGuid_throws() {
    assertThatThrownBy(() -> AzureImdsAttestor.fromConfig(yaml("""
        roots: azure-roots.pem
        subscriptions: [production]
        """), env))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("subscriptions: 'production' is not a GUID");
  }

  @Test
  void fromConfig_vmIdNotAGuid_throws() {
    assertThatThrownBy(() -> AzureImdsAttestor.fromConfig(yaml("""
        roots: azure-roots.pem
        subscriptions: ["%s"]
        vm_ids: [web-1]
        """.formatted(AzureImdsAttestorTest.SUB)), env))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("vm_ids: 'web-1' is not a GUID");
  }

  @Test
  void fromConfig_badSignerName_throws() {
    assertThatThrownBy(() -> AzureImdsAttestor.fromConfig(yaml("""
        roots: azure-roots.pem
        signer_name: "*.metadata.azure.com"
        subscriptions: ["%s"]
        """.formatted(AzureImdsAttestorTest.SUB)), env))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("signer_name:");
  }

  @Test
  void fromConfig_unknownKey_throws() {
    assertThatThrownBy(() -> AzureImdsAttestor.fromConfig(yaml("""
        roots: azure-roots.pem
        subscription: ["%s"]
        """.formatted(AzureImdsAttestorTest.SUB)), env))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("subscription");
  }

  @Test
  void fromConfig_rootsFileMissing_throwsNamingRoots() {
    assertThatThrownBy(() -> AzureImdsAttestor.fromConfig(yaml("""
        roots: nowhere.pem
        subscriptions: ["%s"]
        """.formatted(AzureImdsAttestorTest.SUB)), env))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("roots: cannot read certificates from " + dir.resolve("nowhere.pem"));
  }

  private static JsonNode yaml(String text) throws IOException {
    return new ObjectMapper(new YAMLFactory()).readTree(text);
  }
}
