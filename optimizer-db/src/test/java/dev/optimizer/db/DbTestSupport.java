package dev.optimizer.db;

import dev.optimizer.api.Mode;
import dev.optimizer.runtime.Optimizer;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.util.Collection;
import java.util.Optional;

/** An optimizer on real time with an in-memory OpenTelemetry, for tests against a database. */
final class DbTestSupport implements AutoCloseable {
  final InMemoryMetricReader metrics = InMemoryMetricReader.create();
  final OpenTelemetrySdk otel =
      OpenTelemetrySdk.builder()
          .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
          .build();
  final Optimizer optimizer;

  DbTestSupport(Mode mode) {
    optimizer = Optimizer.builder().openTelemetry(otel).manualTuning().mode(mode).build();
  }

  Collection<MetricData> collect() {
    return metrics.collectAllMetrics();
  }

  Optional<MetricData> metric(String name) {
    return collect().stream().filter(m -> m.getName().equals(name)).findFirst();
  }

  @Override
  public void close() {
    optimizer.close();
    otel.close();
  }
}
