package dev.optimizer.ai.inference.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.huggingface.translator.TextEmbeddingTranslatorFactory;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.optimizer.ai.inference.InferenceBatcher;
import dev.optimizer.ai.inference.MiniLm;
import dev.optimizer.api.Knob;
import dev.optimizer.runtime.Optimizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The DJL adapter over the real all-MiniLM-L6-v2, loaded through DJL's ONNX Runtime engine. */
class DjlBatchingTest {
  @TempDir static Path dir;
  static ZooModel<String, float[]> model;

  @BeforeAll
  static void load() throws Exception {
    copy("all-minilm-l6-v2.onnx", dir.resolve("model.onnx"));
    copy("all-minilm-l6-v2-tokenizer.json", dir.resolve("tokenizer.json"));
    model =
        Criteria.builder()
            .setTypes(String.class, float[].class)
            .optModelPath(dir)
            .optEngine("OnnxRuntime")
            .optTranslatorFactory(new TextEmbeddingTranslatorFactory())
            .optArgument("includeTokenTypes", true)
            .build()
            .loadModel();
  }

  private static void copy(String resource, Path to) throws IOException {
    try (InputStream in = AllMiniLmL6V2EmbeddingModel.class.getResourceAsStream("/" + resource)) {
      Files.copy(in, to);
    }
  }

  @AfterAll
  static void close() {
    if (model != null) {
      model.close();
    }
  }

  @Test
  void concurrentSingleCallsBecomeBatchesWithTheUnbatchedOutputs() throws Exception {
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 48; i++) {
      texts.add(i % 3 == 0 ? "short " + i : "a rather longer question number " + i + " about Java");
    }
    List<float[]> expected = new ArrayList<>();
    try (Predictor<String, float[]> p = model.newPredictor()) {
      for (String t : texts) {
        expected.add(p.predict(t));
      }
    }
    try (Optimizer optimizer = Optimizer.builder().manualTuning().build();
        InferenceBatcher<String, float[]> batcher =
            DjlBatching.batcher(optimizer, model, 1)
                .name("djl-minilm")
                .maxBatchSize(16)
                .tuning(false)
                .build()) {
      ExecutorService callers = Executors.newFixedThreadPool(16);
      CountDownLatch start = new CountDownLatch(1);
      List<CompletableFuture<float[]>> results = new ArrayList<>();
      for (String t : texts) {
        results.add(
            CompletableFuture.supplyAsync(
                () -> {
                  await(start);
                  return batcher.call(t);
                },
                callers));
      }
      start.countDown();
      for (int i = 0; i < texts.size(); i++) {
        float[] actual = results.get(i).join();
        assertThat(actual).hasSize(384);
        assertThat(MiniLm.cosineDistance(actual, expected.get(i))).isLessThan(1e-4);
      }
      assertThat(batcher.stats().batches())
          .as("48 concurrent calls on one worker run in fewer than 48 forward passes")
          .isLessThan(texts.size());
      callers.shutdown();
    }
  }

  @Test
  void aBadInputFailsOnlyItsOwnCaller() throws Exception {
    try (Optimizer optimizer = Optimizer.builder().manualTuning().build();
        InferenceBatcher<String, Integer> batcher =
            DjlBatching.batcher(optimizer, DjlBatchingTest::lengthPredictor, 1)
                .name("djl-length")
                .tuning(false)
                .build()) {
      CompletableFuture<Integer> good = batcher.submit("four");
      CompletableFuture<Integer> bad = batcher.submit("");
      CompletableFuture<Integer> other = batcher.submit("seven!!");
      assertThat(good.join()).isEqualTo(4);
      assertThat(other.join()).isEqualTo(7);
      assertThatThrownBy(bad::join)
          .isInstanceOf(CompletionException.class)
          .hasRootCauseMessage("empty input");
    }
  }

  @Test
  void workersOutOfRangeNameTheSetting() throws Exception {
    try (Optimizer optimizer = Optimizer.builder().manualTuning().build()) {
      assertThatThrownBy(() -> DjlBatching.batcher(optimizer, model, 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("workers")
          .hasMessageContaining("0");
    }
  }

  @Test
  void predictorsAreMadeAtBuildAndClosedWhenTheBuildFails() throws Exception {
    AtomicInteger created = new AtomicInteger();
    AtomicInteger closed = new AtomicInteger();
    Supplier<Predictor<String, Integer>> counting =
        () -> {
          created.incrementAndGet();
          return new Predictor<>(model, new Length(), Device.cpu(), false) {
            @Override
            protected NDList predictInternal(TranslatorContext ctx, NDList input) {
              return input;
            }

            @Override
            public void close() {
              closed.incrementAndGet();
              super.close();
            }
          };
        };
    try (Optimizer optimizer = Optimizer.builder().manualTuning().build()) {
      assertThatThrownBy(() -> DjlBatching.batcher(optimizer, counting, 2).maxBatchSize(0))
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(created.get()).as("predictors made for a refused setting").isZero();
      optimizer.register(
          Knob.ofInt("optimizer.ai.djl-taken.max_batch_size", 1).range(1, 2).build());
      assertThatThrownBy(
              () -> DjlBatching.batcher(optimizer, counting, 2).name("djl-taken").build())
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(created.get()).isEqualTo(2);
      assertThat(closed.get()).isEqualTo(2);
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A predictor that runs no model: the text's length, and an error for an empty text. */
  private static Predictor<String, Integer> lengthPredictor() {
    return new Predictor<>(model, new Length(), Device.cpu(), false) {
      @Override
      protected NDList predictInternal(TranslatorContext ctx, NDList input) {
        return input;
      }
    };
  }

  private static final class Length implements NoBatchifyTranslator<String, Integer> {
    @Override
    public NDList processInput(TranslatorContext ctx, String input) {
      if (input.isEmpty()) {
        throw new IllegalArgumentException("empty input");
      }
      return new NDList(ctx.getNDManager().create(input.length()));
    }

    @Override
    public Integer processOutput(TranslatorContext ctx, NDList list) {
      return list.singletonOrThrow().getInt();
    }
  }
}
