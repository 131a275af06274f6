package dev.optimizer.ai.inference.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.output.Response;
import dev.optimizer.ai.inference.langchain4j.CachingEmbeddingModel;
import dev.optimizer.runtime.Optimizer;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InferenceCacheTest {

  private final Optimizer optimizer =
      Optimizer.builder().openTelemetry(OpenTelemetry.noop()).manualTuning().build();

  @AfterEach
  void close() {
    optimizer.close();
  }

  private InferenceCache<String, float[]> cache(long bytes) {
    return InferenceCache.<String, float[]>builder(optimizer)
        .modelId("m")
        .inputBytes(s -> s.getBytes(StandardCharsets.UTF_8))
        .outputBytes(v -> v.length * 4)
        .copy(float[]::clone)
        .maximumBytes(bytes)
        .build();
  }

  @Test
  void aCallerSharingAComputationIsNotFailedByTheInterruptOfTheCallerRunningIt() throws Exception {
    InferenceCache<String, float[]> cache = cache(1 << 20);
    java.util.concurrent.CountDownLatch computing = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicReference<Throwable> leaderError =
        new java.util.concurrent.atomic.AtomicReference<>();
    Thread leader =
        new Thread(
            () -> {
              try {
                cache.get(
                    "x",
                    in -> {
                      computing.countDown();
                      try {
                        new java.util.concurrent.CountDownLatch(1).await(); // until interrupted
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new java.util.concurrent.CompletionException(e);
                      }
                      return new float[] {0};
                    });
              } catch (RuntimeException e) {
                leaderError.set(e);
              }
            });
    leader.start();
    assertThat(computing.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    java.util.concurrent.CompletableFuture<float[]> follower =
        new java.util.concurrent.CompletableFuture<>();
    Thread followerThread =
        new Thread(
            () -> {
              try {
                follower.complete(cache.get("x", in -> new float[] {7}));
              } catch (Throwable t) {
                follower.completeExceptionally(t);
              }
            });
    followerThread.start();
    // Until the follower waits on the leader's computation (a thread state, not a timed guess).
    while (followerThread.getState() != Thread.State.WAITING
        && followerThread.getState() != Thread.State.TIMED_WAITING
        && !follower.isDone()) {
      Thread.onSpinWait();
    }
    leader.interrupt();
    leader.join(10_000);
    assertThat(leaderError.get()).hasRootCauseInstanceOf(InterruptedException.class);
    assertThat(follower.get(10, java.util.concurrent.TimeUnit.SECONDS)).containsExactly(7);
  }

  @Test
  void buildingOnAClosedOptimizerIsRefusedBeforeAnythingStarts() {
    InMemoryMetricReader reader = InMemoryMetricReader.create();
    try (OpenTelemetrySdk otel =
        OpenTelemetrySdk.builder()
            .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(reader).build())
            .build()) {
      Optimizer closed = Optimizer.builder().openTelemetry(otel).manualTuning().build();
      closed.close();
      Throwable refused =
          catchThrowable(
              () ->
                  InferenceCache.<String, float[]>builder(closed)
                      .name("late")
                      .inputBytes(s -> s.getBytes(StandardCharsets.UTF_8))
                      .outputBytes(v -> v.length * 4)
                      .build());
      // No instruments left on the application's meter for a cache that does not exist.
      assertThat(reader.collectAllMetrics())
          .extracting(MetricData::getName)
          .noneMatch(name -> name.startsWith("optimizer.cache."));
      assertThat(refused)
          .isExactlyInstanceOf(IllegalStateException.class)
          .hasMessage("optimizer is closed: InferenceCache 'ai.late' was not built");
    }
  }

  @Test
  void closingTheCacheDropsItsEntries() {
    InferenceCache<String, float[]> cache = cache(1 << 20);
    cache.put("a", new float[] {1, 2});
    assertThat(cache.getIfPresent("a")).containsExactly(1, 2);
    cache.close();
    assertThat(cache.getIfPresent("a")).isNull();
    assertThat(cache.weightedSizeBytes()).isZero();
  }

  @Test
  void computesOnceAndHandsOutCopies() {
    InferenceCache<String, float[]> cache = cache(1 << 20);
    AtomicInteger computed = new AtomicInteger();
    float[] first = cache.get("text", t -> new float[] {computed.incrementAndGet()});
    first[0] = 99;
    float[] second = cache.get("text", t -> new float[] {computed.incrementAndGet()});
    assertThat(second).containsExactly(1f);
    assertThat(computed.get()).isEqualTo(1);
    assertThat(cache.stats().localHits()).isEqualTo(1);
    assertThat(cache.getIfPresent("other")).isNull();
  }

  @Test
  void staysWithinItsBytes() {
    InferenceCache<String, float[]> cache = cache(8192);
    for (int i = 0; i < 100; i++) {
      cache.put("text " + i, new float[256]); // about 1 KiB each
    }
    assertThat(cache.weightedSizeBytes()).isLessThanOrEqualTo(8192);
    assertThat(cache.stats().evictions()).isGreaterThan(80);
  }

  @Test
  void aFailedComputationIsNotCached() {
    InferenceCache<String, float[]> cache = cache(1 << 20);
    assertThatThrownBy(
            () ->
                cache.get(
                    "x",
                    t -> {
                      throw new IllegalStateException("model down");
                    }))
        .hasMessage("model down");
    assertThat(cache.get("x", t -> new float[] {2})).containsExactly(2f);
  }

  @Test
  void settingsAreChecked() {
    assertThatThrownBy(() -> InferenceCache.builder(optimizer).maximumBytes(10))
        .hasMessage("maximumBytes must be in [1024, 1099511627776], but was 10");
    assertThatThrownBy(() -> InferenceCache.builder(optimizer).build())
        .hasMessage("inputBytes must be set");
  }

  @Test
  void theEmbeddingDecoratorSendsOnlyMissesToTheModel() {
    List<Integer> batchSizes = new ArrayList<>();
    EmbeddingModel model =
        new EmbeddingModel() {
          @Override
          public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
            batchSizes.add(segments.size());
            List<Embedding> out = new ArrayList<>();
            for (TextSegment s : segments) {
              out.add(Embedding.from(new float[] {s.text().length(), 1}));
            }
            return Response.from(out);
          }
        };
    CachingEmbeddingModel cached = CachingEmbeddingModel.wrap(optimizer, model, 1 << 20);
    assertThat(cached.embed("abc").content().vector()).containsExactly(3f, 1f);
    var all =
        cached.embedAll(
            List.of(TextSegment.from("abc"), TextSegment.from("hello"), TextSegment.from("hi")));
    assertThat(all.content()).extracting(e -> e.vector()[0]).containsExactly(3f, 5f, 2f);
    assertThat(batchSizes).containsExactly(1, 2);
    assertThat(cached.cache().stats().localHits()).isEqualTo(1);
  }
}
