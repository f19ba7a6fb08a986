package dev.minter.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class MetricsEndpointTest {
  final HttpClient http = HttpClient.newHttpClient();

  HttpResponse<String> get(MetricsEndpoint endpoint, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void getMetrics_servesPrometheusTextWithAnomalyCounters() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.counter("minter.anomalies", "kind", "mint_rate", "action", "deny").increment(3);

    try (MetricsEndpoint endpoint = MetricsEndpoint.start(new InetSocketAddress("127.0.0.1", 0), registry)) {
      HttpResponse<String> response = get(endpoint, "/metrics");

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Type")).hasValue(MetricsEndpoint.CONTENT_TYPE);
      assertThat(response.body()).contains("minter_anomalies_total{action=\"deny\",kind=\"mint_rate\"} 3.0");
      assertThat(get(endpoint, "/other").statusCode()).isEqualTo(404);
    }
  }
}
