package dev.optimizer.ai.chat;

import dev.langchain4j.model.chat.listener.ChatModelErrorContext;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.optimizer.ai.AiOptimizer;
import dev.optimizer.ai.AiOptimizerBuilder;
import dev.optimizer.ai.testserver.LocalOpenAiServer;
import dev.optimizer.runtime.Optimizer;
import dev.optimizer.testing.ManualTime;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A local OpenAI-compatible server, an optimizer on manual time with in-memory metrics, and a
 * sleeper that records the waits instead of sleeping.
 */
final class ChatFixture implements AutoCloseable {
  final LocalOpenAiServer server = LocalOpenAiServer.start();
  final ManualTime time = ManualTime.create();
  final InMemoryMetricReader reader = InMemoryMetricReader.create();
  final OpenTelemetrySdk otel =
      OpenTelemetrySdk.builder()
          .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(reader).build())
          .build();
  final Optimizer optimizer =
      Optimizer.builder()
          .openTelemetry(otel)
          .clock(time.clock())
          .ticker(time.ticker())
          .manualTuning()
          .build();
  final List<Duration> sleeps = new CopyOnWriteArrayList<>();
  final AiOptimizer ai;

  ChatFixture() {
    this(b -> {});
  }

  ChatFixture(Consumer<AiOptimizerBuilder> settings) {
    AiOptimizerBuilder b =
        AiOptimizer.builder(optimizer).sleeper(sleeps::add).random(new Random(7));
    settings.accept(b);
    ai = b.build();
  }

  Collection<MetricData> metrics() {
    return reader.collectAllMetrics();
  }

  /** Sum of a long counter or histogram count over all points matching {@code filter}. */
  long sum(
      String name, java.util.function.Predicate<io.opentelemetry.api.common.Attributes> filter) {
    long total = 0;
    for (MetricData m : metrics()) {
      if (!m.getName().equals(name)) {
        continue;
      }
      switch (m.getType()) {
        case LONG_SUM ->
            total +=
                m.getLongSumData().getPoints().stream()
                    .filter(p -> filter.test(p.getAttributes()))
                    .mapToLong(p -> p.getValue())
                    .sum();
        case HISTOGRAM ->
            total +=
                m.getHistogramData().getPoints().stream()
                    .filter(p -> filter.test(p.getAttributes()))
                    .mapToLong(p -> p.getCount())
                    .sum();
        default -> {}
      }
    }
    return total;
  }

  long sum(String name) {
    return sum(name, a -> true);
  }

  @Override
  public void close() {
    optimizer.close();
    server.close();
    otel.close();
  }

  /** A listener that records what it sees. */
  static final class Recorder implements ChatModelListener {
    final List<String> events = new CopyOnWriteArrayList<>();

    @Override
    public void onRequest(ChatModelRequestContext c) {
      events.add("request:" + c.attributes().getOrDefault("optimizer.ai.served_by", "model"));
    }

    @Override
    public void onResponse(ChatModelResponseContext c) {
      events.add("response:" + c.attributes().getOrDefault("optimizer.ai.served_by", "model"));
    }

    @Override
    public void onError(ChatModelErrorContext c) {
      events.add("error:" + c.attributes().getOrDefault("optimizer.ai.served_by", "model"));
    }
  }
}
