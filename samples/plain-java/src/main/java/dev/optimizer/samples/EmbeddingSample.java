package dev.optimizer.samples;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.optimizer.ai.inference.langchain4j.BatchingEmbeddingModel;
import dev.optimizer.runtime.Optimizer;
import io.opentelemetry.api.OpenTelemetry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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

  /** Wall-clock times of both arms, and the batches the batched arm ran. */
  public record Result(long directMillis, long batchedMillis, long texts, long batches) {
    /** Texts per batch, on average. */
    public double meanBatchSize() {
      return (double) texts / batches;
    }
  }

  /** Embeds with 16 callers and prints the batch sizes and times. */
  public static void main(String[] args) throws Exception {
    Result r = run(16, 32);
    System.out.printf("%d texts, 16 callers, one text per call%n", r.texts());
    System.out.printf("direct (one forward pass per text): %5d ms%n", r.directMillis());
    System.out.printf(
        "batched:                            %5d ms in %d batches, mean size %.1f%n",
        r.batchedMillis(), r.batches(), r.meanBatchSize());
  }

  /** {@code callers} threads each embed {@code textsPerCaller} distinct texts, one at a time. */
  public static Result run(int callers, int textsPerCaller) throws Exception {
    Offline.djl();
    EmbeddingModel model = new AllMiniLmL6V2QuantizedEmbeddingModel();
    List<String> texts =
        IntStream.range(0, callers * (textsPerCaller + 4))
            .mapToObj(i -> "How do I reset the password of account " + i + "?")
            .toList();
    List<String> warmUp = texts.subList(0, callers * 4); // JIT, ONNX Runtime, the tokenizer
    List<String> measured = texts.subList(callers * 4, texts.size());
    ExecutorService threads = Executors.newFixedThreadPool(callers);
    try (Optimizer optimizer = Optimizer.builder().openTelemetry(OpenTelemetry.noop()).build();
        BatchingEmbeddingModel batched = BatchingEmbeddingModel.wrap(optimizer, model)) {
      embed(model, warmUp, callers, threads);
      embed(batched, warmUp, callers, threads);
      long batchesBefore = batched.batcher().stats().batches();

      long directMillis = embed(model, measured, callers, threads);
      long batchedMillis = embed(batched, measured, callers, threads);
      long batches = batched.batcher().stats().batches() - batchesBefore;
      return new Result(directMillis, batchedMillis, measured.size(), batches);
    } finally {
      threads.shutdownNow();
    }
  }

  /** Splits {@code texts} over {@code callers} threads, each calling {@code embed} per text. */
  private static long embed(
      EmbeddingModel m, List<String> texts, int callers, ExecutorService threads) throws Exception {
    List<Callable<Void>> work = new ArrayList<>();
    for (int c = 0; c < callers; c++) {
      int first = c;
      work.add(
          () -> {
            for (int i = first; i < texts.size(); i += callers) {
              m.embed(texts.get(i));
            }
            return null;
          });
    }
    long start = System.nanoTime();
    for (Future<Void> f : threads.invokeAll(work)) {
      f.get(); // a caller's failure fails the sample
    }
    return (System.nanoTime() - start) / 1_000_000;
  }
}
