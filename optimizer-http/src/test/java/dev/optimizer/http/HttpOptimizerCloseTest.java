package dev.optimizer.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.optimizer.runtime.Optimizer;
import io.opentelemetry.api.OpenTelemetry;
import java.lang.ref.WeakReference;
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

  /** How many of {@code refs} still reach their object after a bounded number of collections. */
  private static long stillReachable(List<? extends WeakReference<?>> refs) {
    for (int i = 0; i < 20 && refs.stream().anyMatch(r -> r.get() != null); i++) {
      System.gc();
    }
    return refs.stream().filter(r -> r.get() != null).count();
  }
}
