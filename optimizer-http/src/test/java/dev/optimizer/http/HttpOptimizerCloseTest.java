package dev.optimizer.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.optimizer.runtime.Optimizer;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.lang.ref.WeakReference;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An HttpOptimizer closed on its own is no longer held by the optimizer (its timer, caches and
 * pipeline would otherwise stay reachable for as long as the optimizer lives); one left open still
 * closes with the optimizer.
 */
class HttpOptimizerCloseTest {

  @Test
  void httpOptimizersClosedOnTheirOwnAreNotHeldByTheOptimizer() {
    try (Optimizer optimizer =
        Optimizer.builder().openTelemetry(OpenTelemetry.noop()).manualTuning().build()) {
      List<WeakReference<HttpOptimizer>> closed = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        HttpOptimizer http = HttpOptimizer.builder(optimizer).name("closed-" + i).build();
        http.wrap(HttpClient.newHttpClient());
        http.close();
        closed.add(new WeakReference<>(http));
      }
      HttpOptimizer open = HttpOptimizer.builder(optimizer).name("open").build();

      assertThat(stillReachable(closed)).as("closed HttpOptimizers still reachable").isZero();

      optimizer.close();
      assertThat(open.isClosed()).isTrue();
    }
  }

  @Test
  void anHttpOptimizerOnAClosedOptimizerFailsBeforeStartingAnything() throws Exception {
    InMemoryMetricReader reader = InMemoryMetricReader.create();
    OpenTelemetrySdk otel =
        OpenTelemetrySdk.builder()
            .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(reader).build())
            .build();
    Optimizer optimizer = Optimizer.builder().openTelemetry(otel).manualTuning().build();
    optimizer.close(); // e.g. a lazily created HttpClient bean built during shutdown
    int deadPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      deadPort = s.getLocalPort(); // nothing listens there once closed: Redis is down
    }
    HttpOptimizerBuilder late =
        HttpOptimizer.builder(optimizer)
            .name("late")
            .cacheRemote(RemoteCacheSettings.builder("redis://127.0.0.1:" + deadPort).build());

    assertThatThrownBy(late::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("optimizer is closed: HttpOptimizer 'late' was not built");

    // Nothing was started: no thread trying to reach Redis, no instrument in the application's
    // meter provider (they would report for as long as the application runs).
    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(
            t ->
                t.isAlive()
                    && t.getName().startsWith("optimizer-http-")
                    && t.getName().endsWith("late"));
    assertThat(reader.collectAllMetrics())
        .flatMap(m -> m.getData().getPoints())
        .noneMatch(
            p ->
                "late"
                    .equals(p.getAttributes().get(AttributeKey.stringKey("optimizer.http.name"))));
  }

  /** How many of {@code refs} still reach their object after a bounded number of collections. */
  private static long stillReachable(List<? extends WeakReference<?>> refs) {
    for (int i = 0; i < 20 && refs.stream().anyMatch(r -> r.get() != null); i++) {
      System.gc();
    }
    return refs.stream().filter(r -> r.get() != null).count();
  }
}
