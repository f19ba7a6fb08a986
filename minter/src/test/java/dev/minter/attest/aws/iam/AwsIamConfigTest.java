package dev.minter.attest.aws.iam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.minter.config.ConfigLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AwsIamConfigTest {
  private static final String BASE = """
      sts_endpoint: https://sts.amazonaws.com/
      server_id: minter.prod
      accounts: ["111122223333"]
      """;

  @Test
  void convert_minimal_defaults() throws Exception {
    AwsIamConfig config = convert(BASE);

    assertThat(config.stsEndpoint()).isEqualTo("https://sts.amazonaws.com/");
    assertThat(config.maxAge()).isEqualTo(Duration.ofMinutes(5));
    assertThat(config.timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.roleArns()).isEmpty();
    assertThat(config.allowHttpLoopback()).isFalse();
  }

  @Test
  void convert_endpointWithoutPath_normalizedToSlash() throws Exception {
    assertThat(convert(BASE.replace("https://sts.amazonaws.com/", "https://sts.eu-west-1.amazonaws.com"))
        .stsEndpoint()).isEqualTo("https://sts.eu-west-1.amazonaws.com/");
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        arguments("missing endpoint", BASE.replace("sts_endpoint: https://sts.amazonaws.com/\n", ""),
            "sts_endpoint: missing"),
        arguments("plain http", BASE.replace("https://sts", "http://sts"), "expected: https"),
        arguments("http loopback without opt-in", BASE.replace("https://sts.amazonaws.com/", "http://127.0.0.1:9/"),
            "allow_http_loopback"),
        arguments("http non-loopback with opt-in", BASE.replace("https://sts.amazonaws.com/", "http://sts.example/")
            + "allow_http_loopback: true\n", "expected: https"),
        arguments("endpoint with query", BASE.replace(".com/", ".com/?Action=x"), "no user, query or fragment"),
        arguments("endpoint with userinfo", BASE.replace("https://", "https://u:p@"), "no user, query or fragment"),
        arguments("endpoint with default port", BASE.replace(".com/", ".com:443/"), "without the default port"),
        arguments("missing server_id", BASE.replace("server_id: minter.prod\n", ""), "server_id: missing"),
        arguments("server_id with space", BASE.replace("minter.prod", "'minter prod'"), "server_id: 'minter prod'"),
        arguments("no accounts", BASE.replace("[\"111122223333\"]", "[]"), "accounts: missing or empty"),
        arguments("bad account", BASE.replace("111122223333", "1234"), "accounts: '1234'"),
        arguments("role glob not an ARN", BASE + "role_arns: [\"analytics-*\"]\n", "role_arns: 'analytics-*'"),
        arguments("max_age above STS's window", BASE + "max_age: 16m\n", "max_age: PT16M"),
        arguments("zero timeout", BASE + "timeout: 0s\n", "timeout: PT0S"),
        arguments("unknown key", BASE + "region: us-east-1\n", "region"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void convert_invalid_throwsNamingSetting(String name, String yaml, String fragment) {
    assertThatThrownBy(() -> convert(yaml)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(fragment);
  }

  private static AwsIamConfig convert(String yaml) throws Exception {
    return ConfigLoader.convert(new ObjectMapper(new YAMLFactory()).readTree(yaml), AwsIamConfig.class, Path.of("."));
  }
}
