package dev.optimizer.samples;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.optimizer.ai.inference.langchain4j.BatchingEmbeddingModel;
import dev.optimizer.runtime.Optimizer;
import dev.optimizer.runtime.batch.MicroBatcher;
import io.opentelemetry.api.OpenTelemetry;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;

/**
 * optimizer-ai's dynamic batching over LangChain4j's in-process quantized all-MiniLM-L6-v2 (the
 * model ships inside its Maven jar): the same concurrent callers, each embedding one text at a
 * time, through the model directly (one forward pass per text) and through {@link
 * BatchingEmbeddingModel} (their calls gathered into tensor batches). Prints the batch sizes and
 * both times. How much batching gains depends on the CPU: a small model on few cores may already be
 * compute-bound with one text per pass.
 *
 * <p>Run: {@code ./mvnw -q -pl samples/plain-java -am package -DskipTests && java -cp
 * "samples/plain-java/target/classes:$(cat samples/plain-java/target/classpath.txt)"
 * dev.optimizer.samples.EmbeddingSample}
 */
public final class EmbeddingSample {
  private EmbeddingSample() {}

  /** Wall-clock times of both arms and the batcher's counters. */
  public record Result(long directMillis, long batchedMillis, MicroBatcher.Stats batches) {}

  /** Embeds with 16 callers and prints the batch sizes and times. */
  public static void main(String[] args) throws Exception {
    Result r = run(16, 32);
    System.out.printf("one text per call, direct: %5d ms%n", r.directMillis());
    System.out.printf(
        "batched:                   %5d ms in %d batches, mean size %.1f%n",
        r.batchedMillis(), r.batches().batches(), r.batches().meanBatchSize());
  }

  /** {@code callers} threads each embed {@code textsPerCaller} distinct texts, one at a time. */
  public static Result run(int callers, int textsPerCaller) throws Exception {
    Offline.djl();
    EmbeddingModel model = new AllMiniLmL6V2QuantizedEmbeddingModel();
    List<String> texts =
        IntStream.range(0, callers * textsPerCaller)
            .mapToObj(
                i -> "Question " + i + ": how do I reset the password of account " + i * 7 + "?")
            .toList();
    ExecutorService threads = Executors.newFixedThreadPool(callers);
    try (Optimizer optimizer = Optimizer.builder().openTelemetry(OpenTelemetry.noop()).build();
        BatchingEmbeddingModel batched = BatchingEmbeddingModel.wrap(optimizer, model)) {
      embed(
          model, texts.subList(0, 64), callers, threads); // warm both: JIT, ONNX Runtime, tokenizer
      embed(batched, texts.subList(0, 64), callers, threads);
      MicroBatcher.Stats warm = batched.batcher().stats();

      long directMillis = embed(model, texts, callers, threads);
      long batchedMillis = embed(batched, texts, callers, threads);
      MicroBatcher.Stats after = batched.batcher().stats();
      return new Result(
          directMillis,
          batchedMillis,
          new MicroBatcher.Stats(
              after.batches() - warm.batches(), after.items() - warm.items(), 0, 0, 0));
    } finally {
      threads.shutdownNow();
    }
  }

  /**
   * Splits {@code texts} over {@code callers} threads that call {@code embed} one text at a time.
   */
  private static long embed(
      EmbeddingModel m, List<String> texts, int callers, ExecutorService threads) {
    long start = System.nanoTime();
    CompletableFuture.allOf(
            IntStream.range(0, callers)
                .mapToObj(
                    c ->
                        CompletableFuture.runAsync(
                            () -> {
                              for (int i = c; i < texts.size(); i += callers) {
                                m.embed(texts.get(i));
                              }
                            },
                            threads))
                .toArray(CompletableFuture[]::new))
        .join();
    return (System.nanoTime() - start) / 1_000_000;
  }
}
