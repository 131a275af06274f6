package dev.optimizer.ai.inference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.optimizer.runtime.Optimizer;
import dev.optimizer.runtime.batch.ItemResults;
import dev.optimizer.testing.ManualTime;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * An optimizer on manual time (clock and ticker, tuning run by hand) with in-memory metrics, and
 * {@link GatedWorker}, a model worker that holds its first batch until released: what the tests of
 * {@link InferenceBatcher} share.
 */
abstract class BatcherFixture {

  protected final ManualTime time = ManualTime.create();
  protected final InMemoryMetricReader reader = InMemoryMetricReader.create();
  protected OpenTelemetrySdk otel;
  protected Optimizer optimizer;

  @BeforeEach
  void setUp() {
    otel =
        OpenTelemetrySdk.builder()
            .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(reader).build())
            .build();
    optimizer =
        Optimizer.builder()
            .openTelemetry(otel)
            .ticker(time.ticker())
            .clock(time.clock())
            .manualTuning()
            .build();
  }

  @AfterEach
  void tearDown() {
    optimizer.close();
    otel.close();
  }

  /** A worker that upper-cases, records its batches, and holds its first batch until released. */
  static final class GatedWorker implements BatchModel<String, String> {
    final List<List<String>> batches = new CopyOnWriteArrayList<>();
    final CountDownLatch started = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    volatile boolean closed;

    @Override
    public void run(List<String> inputs, ItemResults<String> results) throws Exception {
      batches.add(List.copyOf(inputs));
      started.countDown();
      assertThat(release.await(10, TimeUnit.SECONDS)).isTrue();
      if (inputs.contains("bad")) {
        throw new IllegalArgumentException("model cannot take 'bad'");
      }
      if (inputs.contains("down")) {
        // What a remote model throws when the service, not an input, fails.
        throw new IllegalStateException("service down");
      }
      for (int i = 0; i < inputs.size(); i++) {
        results.complete(i, inputs.get(i).toUpperCase(java.util.Locale.ROOT));
      }
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  protected InferenceBatcher<String, String> batcher(GatedWorker worker) {
    return InferenceBatcher.builder(optimizer, worker).name("test").maxBatchSize(8).build();
  }
}
