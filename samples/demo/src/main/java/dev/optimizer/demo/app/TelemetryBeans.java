package dev.optimizer.demo.app;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.exporter.prometheus.PrometheusHttpServer;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The application's OpenTelemetry SDK, its metrics served in the Prometheus text format on {@code
 * http://127.0.0.1:${demo.prometheus.port}/metrics}. Whatever uses the {@link OpenTelemetry} bean
 * (the optimizer does) reports there under the semantic-convention names.
 */
@Configuration(proxyBeanMethods = false)
public class TelemetryBeans {

  /** The SDK; closing the context stops the Prometheus endpoint. */
  @Bean(destroyMethod = "close")
  OpenTelemetrySdk openTelemetry(@Value("${demo.prometheus.port}") int port) {
    PrometheusHttpServer prometheus =
        PrometheusHttpServer.builder().setHost("127.0.0.1").setPort(port).build();
    return OpenTelemetrySdk.builder()
        .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(prometheus).build())
        .build();
  }
}
