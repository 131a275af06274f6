package dev.optimizer.ai.inference.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.output.Response;
import dev.optimizer.ai.inference.MiniLm;
import dev.optimizer.ai.inference.onnx.OnnxTextEmbedder;
import dev.optimizer.api.Knob;
import dev.optimizer.runtime.Optimizer;
import io.opentelemetry.api.OpenTelemetry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BatchingEmbeddingModelTest {

  static Optimizer optimizer;
  static BatchingEmbeddingModel batched;

  @BeforeAll
  static void wrap() {
    optimizer = Optimizer.builder().openTelemetry(OpenTelemetry.noop()).manualTuning().build();
    batched = BatchingEmbeddingModel.wrap(optimizer, MiniLm.langchain4j());
  }

  @AfterAll
  static void close() {
    optimizer.close();
  }

  @Test
  void concurrentSingleCallsBecomeTensorBatchesWithTheSameVectors() throws Exception {
    assertThat(batched.isTensorBatching()).isTrue();
    assertThat(batched.dimension()).isEqualTo(384);
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 96; i++) {
      texts.add("question number " + i + " about " + (i % 2 == 0 ? "cooking pasta" : "the stars"));
    }
    long batchesBefore = batched.batcher().stats().batches();
    ExecutorService pool = Executors.newFixedThreadPool(32);
    try {
      List<Future<float[]>> futures = new ArrayList<>();
      for (String t : texts) {
        futures.add(pool.submit((Callable<float[]>) () -> batched.embed(t).content().vector()));
      }
      for (int i = 0; i < texts.size(); i++) {
        float[] reference = MiniLm.langchain4j().embed(texts.get(i)).content().vector();
        assertThat(MiniLm.cosineDistance(reference, futures.get(i).get())).isLessThan(1e-4);
      }
    } finally {
      pool.shutdown();
    }
    long batches = batched.batcher().stats().batches() - batchesBefore;
    assertThat(batches).as("96 calls from 32 threads").isLessThan(96);
  }

  @Test
  void embedAllAndEmptyTextGetTheirOwnOutcome() {
    Response<List<Embedding>> all =
        batched.embedAll(List.of(TextSegment.from("one"), TextSegment.from("two")));
    assertThat(all.content()).hasSize(2);
    assertThat(
            MiniLm.cosineDistance(
                all.content().get(1).vector(),
                MiniLm.langchain4j().embed("two").content().vector()))
        .isLessThan(1e-4);
    assertThatThrownBy(() -> batched.embed(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty or whitespace-only");
  }

  @Test
  void inputsBeyond512TokensKeepLangChain4jsWindowing() {
    String text = "the quick brown fox jumps over the lazy dog ".repeat(70); // ~630 tokens
    float[] ours = batched.embed(text).content().vector();
    float[] theirs = MiniLm.langchain4j().embed(text).content().vector();
    assertThat(MiniLm.cosineDistance(ours, theirs)).isLessThan(1e-6);
  }

  @Test
  void anyOtherModelIsBatchedThroughItsEmbedAll() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    EmbeddingModel remote =
        new EmbeddingModel() {
          @Override
          public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
            calls.incrementAndGet();
            List<Embedding> out = new ArrayList<>();
            for (TextSegment s : segments) {
              if (s.text().equals("poison")) {
                throw new IllegalArgumentException("remote refuses poison");
              }
              out.add(Embedding.from(new float[] {s.text().length()}));
            }
            return Response.from(out);
          }

          @Override
          public int dimension() {
            return 1;
          }
        };
    try (Optimizer own =
            Optimizer.builder().openTelemetry(OpenTelemetry.noop()).manualTuning().build();
        BatchingEmbeddingModel wrapped =
            BatchingEmbeddingModel.builder(own, remote).name("remote").build()) {
      assertThat(wrapped.isTensorBatching()).isFalse();
      assertThat(wrapped.embed("abc").content().vector()).containsExactly(3f);
      assertThatThrownBy(() -> wrapped.embed("poison")).hasMessageContaining("remote refuses");
      assertThat(calls.get()).isEqualTo(2);
      assertThat(wrapped.dimension()).isEqualTo(1);
    }
  }

  @Test
  void embedAllOfMoreTextsThanTheQueueHoldsIsNotRefused() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    EmbeddingModel remote =
        new EmbeddingModel() {
          @Override
          public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
            // The first request hangs (a slow remote API) until the test lets it go.
            if (calls.getAndIncrement() == 0) {
              awaitUninterruptibly(release);
            }
            List<Embedding> out = new ArrayList<>();
            for (TextSegment s : segments) {
              out.add(Embedding.from(new float[] {Integer.parseInt(s.text().substring(1))}));
            }
            return Response.from(out);
          }

          @Override
          public int dimension() {
            return 1;
          }
        };
    int n = 20_000;
    List<TextSegment> segments = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      segments.add(TextSegment.from("t" + i));
    }
    ExecutorService caller = Executors.newSingleThreadExecutor();
    try (Optimizer own =
            Optimizer.builder().openTelemetry(OpenTelemetry.noop()).manualTuning().build();
        BatchingEmbeddingModel wrapped =
            BatchingEmbeddingModel.builder(own, remote).name("bulk").build()) {
      assertThat(wrapped.batcher().maxQueuedItems()).isLessThan(n);
      Future<Response<List<Embedding>>> all = caller.submit(() -> wrapped.embedAll(segments));
      // Wait until the call has filled its window behind the hanging request (or has failed).
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      int peak = 0;
      while (!all.isDone() && peak < BatchingEmbeddingModel.MAX_OUTSTANDING - 128) {
        peak = Math.max(peak, wrapped.batcher().stats().queuedItems());
        assertThat(System.nanoTime() - deadline).as("window never filled").isNegative();
        Thread.onSpinWait();
      }
      release.countDown();
      List<Embedding> out = all.get(60, TimeUnit.SECONDS).content();
      assertThat(out).hasSize(n);
      for (int i = 0; i < n; i++) {
        assertThat(out.get(i).vector()[0]).isEqualTo((float) i);
      }
      assertThat(peak).isLessThanOrEqualTo(BatchingEmbeddingModel.MAX_OUTSTANDING);
    } finally {
      release.countDown();
      caller.shutdownNow();
    }
  }

  @Test
  void theRemoteModelsOwnExceptionReachesTheApplication() {
    EmbeddingModel limited =
        new EmbeddingModel() {
          @Override
          public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
            throw new RateLimitException("429 too many requests");
          }

          @Override
          public int dimension() {
            return 1;
          }
        };
    try (Optimizer own =
            Optimizer.builder().openTelemetry(OpenTelemetry.noop()).manualTuning().build();
        BatchingEmbeddingModel wrapped =
            BatchingEmbeddingModel.builder(own, limited).name("limited").build()) {
      assertThatThrownBy(() -> wrapped.embed("one"))
          .isExactlyInstanceOf(RateLimitException.class)
          .hasMessage("429 too many requests");
      assertThatThrownBy(
              () -> wrapped.embedAll(List.of(TextSegment.from("a"), TextSegment.from("b"))))
          .isExactlyInstanceOf(RateLimitException.class);
    }
  }

  @Test
  void theIntraOpThreadCountIsAKnobPinnedOnlyWhenGiven() {
    // Loaded by the decorator with processors / workers: a start, not the user's setting.
    Knob<?> knob = optimizer.knob("optimizer.ai.embeddings.intra_op_threads").orElseThrow();
    assertThat(knob.isPinned()).isFalse();
    assertThat(knob.min()).isEqualTo(1);
    assertThat(knob.max()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(batched.batcher().modelKnobs()).containsExactly(knob);
    try (BatchingEmbeddingModel given =
            BatchingEmbeddingModel.builder(optimizer, MiniLm.langchain4j())
                .name("given")
                .intraOpThreads(1)
                .build();
        BatchingEmbeddingModel off =
            BatchingEmbeddingModel.builder(optimizer, MiniLm.langchain4j())
                .name("off")
                .intraOpThreadsTuning(false)
                .build()) {
      Knob<?> pinned = optimizer.knob("optimizer.ai.given.intra_op_threads").orElseThrow();
      assertThat(pinned.isPinned()).isTrue();
      assertThat(pinned.value()).isEqualTo(1);
      assertThat(optimizer.knob("optimizer.ai.off.intra_op_threads")).isEmpty();
      assertThat(off.batcher().modelKnobs()).isEmpty();
      assertThat(off.isTensorBatching()).isTrue();
    }
    assertThat(optimizer.knob("optimizer.ai.given.intra_op_threads")).isEmpty();
  }

  @Test
  void aFailedBuildClosesTheOnnxSessionItLoaded() {
    try (Optimizer own =
        Optimizer.builder().openTelemetry(OpenTelemetry.noop()).manualTuning().build()) {
      own.register(Knob.ofInt("optimizer.ai.taken.max_batch_size", 1).range(1, 2).build());
      AtomicReference<OnnxTextEmbedder> loaded = new AtomicReference<>();
      BatchingEmbeddingModel.Builder builder =
          BatchingEmbeddingModel.builder(own, MiniLm.langchain4j()).name("taken");
      builder.loader =
          (model, threads) -> {
            loaded.set(InProcessModels.embedderFor(model, threads));
            return loaded.get();
          };
      assertThatThrownBy(builder::build).isInstanceOf(IllegalArgumentException.class);
      assertThat(loaded.get()).isNotNull();
      assertThatThrownBy(() -> loaded.get().embed("still open?")).hasMessageContaining("is closed");
    }
  }

  @Test
  void buildingOnAClosedOptimizerLoadsNothing() {
    Optimizer closed =
        Optimizer.builder().openTelemetry(OpenTelemetry.noop()).manualTuning().build();
    closed.close();
    AtomicInteger loads = new AtomicInteger();
    BatchingEmbeddingModel.Builder builder =
        BatchingEmbeddingModel.builder(closed, MiniLm.langchain4j()).name("late");
    builder.loader =
        (model, threads) -> {
          loads.incrementAndGet();
          return InProcessModels.embedderFor(model, threads);
        };
    assertThatThrownBy(builder::build)
        .isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("optimizer is closed: BatchingEmbeddingModel 'late' was not built");
    assertThat(loads).as("ONNX sessions loaded for nothing").hasValue(0);
  }

  private static void awaitUninterruptibly(CountDownLatch latch) {
    boolean interrupted = false;
    while (true) {
      try {
        if (latch.await(60, TimeUnit.SECONDS)) {
          break;
        }
        throw new AssertionError("never released");
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
