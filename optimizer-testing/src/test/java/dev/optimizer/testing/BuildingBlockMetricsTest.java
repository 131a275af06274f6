package dev.optimizer.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.optimizer.runtime.cache.TieredCache;
import dev.optimizer.runtime.coalesce.Coalescer;
import dev.optimizer.runtime.limit.ConcurrencyLimiter;
import dev.optimizer.runtime.telemetry.BuildingBlockMetrics;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BuildingBlockMetricsTest {
  private final OptimizerTestKit kit = OptimizerTestKit.create();

  @AfterEach
  void close() {
    kit.close();
  }

  @Test
  void reportsCacheHitsAndMissesByTier() throws Exception {
    try (TieredCache<String, String> cache =
            TieredCache.<String, String>builder()
                .weigher((k, v) -> k.length() + v.length())
                .maximumWeightBytes(1 << 20)
                .build();
        AutoCloseable metrics =
            BuildingBlockMetrics.observe(kit.optimizer().meter(), "users", cache)) {
      cache.get("a", k -> "1");
      cache.get("a", k -> "1");
      cache.get("b", k -> "2");
      Attributes local =
          Attributes.of(
              AttributeKey.stringKey("optimizer.cache.name"), "users",
              AttributeKey.stringKey("optimizer.cache.tier"), "local");
      assertThat(kit.counter("optimizer.cache.hits", local)).isEqualTo(1);
      assertThat(kit.counter("optimizer.cache.misses", local)).isEqualTo(2);
      assertThat(kit.counter("optimizer.cache.loads", Attributes.empty())).isEqualTo(2);
    }
  }

  @Test
  void reportsCoalescedCalls() throws Exception {
    Coalescer<String, String> coalescer = Coalescer.create();
    try (AutoCloseable metrics =
        BuildingBlockMetrics.observe(kit.optimizer().meter(), "profiles", coalescer)) {
      CompletableFuture<String> gate = new CompletableFuture<>();
      CompletableFuture<String> first = coalescer.execute("k", () -> gate);
      CompletableFuture<String> second = coalescer.execute("k", () -> gate);
      gate.complete("v");
      assertThat(first.get()).isEqualTo("v");
      assertThat(second.get()).isEqualTo("v");
      assertThat(kit.counter("optimizer.coalescer.loads", Attributes.empty())).isEqualTo(1);
      assertThat(kit.counter("optimizer.coalescer.coalesced", Attributes.empty())).isEqualTo(1);
    }
  }

  @Test
  void reportsTheLimitersLimitAndStopsWhenClosed() throws Exception {
    ConcurrencyLimiter limiter =
        ConcurrencyLimiter.builder().name("api").minLimit(1).maxLimit(100).initialLimit(7).build();
    AutoCloseable metrics = BuildingBlockMetrics.observe(kit.optimizer().meter(), limiter);
    assertThat(
            kit.metric("optimizer.limiter.limit")
                .map(m -> m.getLongSumData().getPoints().iterator().next().getValue()))
        .contains(7L);
    metrics.close();
    assertThat(kit.metric("optimizer.limiter.limit")).isEmpty();
  }
}
