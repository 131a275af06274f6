package dev.optimizer.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.optimizer.testing.ManualTime;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link HttpTelemetry#measure}: the transport's future is completed by hand on the test thread, so
 * the order in which the measurement and the caller see the answer is fixed.
 */
class HttpTelemetryTest {
  private static final URI URL = URI.create("http://localhost:1/item");

  private final InMemoryMetricReader reader = InMemoryMetricReader.create();
  private final SdkMeterProvider meters =
      SdkMeterProvider.builder().registerMetricReader(reader).build();
  private final HttpTelemetry telemetry =
      new HttpTelemetry(
          meters.get("test"), ManualTime.create().ticker(), new HttpStats(), "t", () -> null, null);

  @AfterEach
  void close() {
    telemetry.close();
    meters.close();
  }

  private static HttpCall get() {
    return TestCalls.get(URL);
  }

  private static Reply ok() {
    return TestCalls.ok(URL);
  }

  private List<HistogramPointData> durations() {
    return reader.collectAllMetrics().stream()
        .filter(m -> m.getName().equals("http.client.request.duration"))
        .flatMap(m -> m.getHistogramData().getPoints().stream())
        .toList();
  }

  @Test
  void aRequestIsRecordedBeforeTheCallerHasItsAnswer() {
    CompletableFuture<Reply> wire = new CompletableFuture<>();
    CompletableFuture<Reply> answer = telemetry.measure(get(), call -> wire);
    // A caller reading the metrics as soon as it has its answer (as one does right after join()).
    CompletableFuture<List<HistogramPointData>> seen = answer.thenApply(reply -> durations());

    wire.complete(ok());

    assertThat(seen.join())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getCount()).isEqualTo(1);
              assertThat(p.getAttributes().get(AttributeKey.longKey("http.response.status_code")))
                  .isEqualTo(200L);
            });
    assertThat(answer.join().status()).isEqualTo(200);
  }

  @Test
  void aFailureIsRecordedBeforeTheCallerHearsOfIt() {
    CompletableFuture<Reply> wire = new CompletableFuture<>();
    CompletableFuture<Reply> answer = telemetry.measure(get(), call -> wire);
    CompletableFuture<List<HistogramPointData>> seen = answer.handle((reply, error) -> durations());

    IOException refused = new IOException("connection refused");
    wire.completeExceptionally(refused);

    assertThat(seen.join())
        .singleElement()
        .satisfies(
            p ->
                assertThat(p.getAttributes().get(AttributeKey.stringKey("error.type")))
                    .isEqualTo("java.io.IOException"));
    assertThat(answer).isCompletedExceptionally();
    assertThat(answer.handle((r, e) -> Futures.unwrap(e)).join()).isSameAs(refused);
  }

  @Test
  void failingTheAnswerAtTheCallersDeadlineFailsTheTransportsFuture() {
    CompletableFuture<Reply> wire = new CompletableFuture<>();
    CompletableFuture<Reply> answer = telemetry.measure(get(), call -> wire);

    HttpTimeoutException late = new HttpTimeoutException("request timed out");
    answer.completeExceptionally(late);

    assertThat(wire).isCompletedExceptionally();
    assertThat(wire.handle((r, e) -> Futures.unwrap(e)).join()).isSameAs(late);
    assertThat(durations())
        .singleElement()
        .satisfies(
            p ->
                assertThat(p.getAttributes().get(AttributeKey.stringKey("error.type")))
                    .isEqualTo("java.net.http.HttpTimeoutException"));
  }

  @Test
  void cancellingTheAnswerCancelsTheTransportsFuture() {
    CompletableFuture<Reply> wire = new CompletableFuture<>();
    CompletableFuture<Reply> answer = telemetry.measure(get(), call -> wire);

    answer.cancel(true);

    assertThat(wire).isCancelled();
    assertThat(durations())
        .singleElement()
        .satisfies(
            p ->
                assertThat(p.getAttributes().get(AttributeKey.stringKey("error.type")))
                    .isEqualTo("cancelled"));
  }
}
