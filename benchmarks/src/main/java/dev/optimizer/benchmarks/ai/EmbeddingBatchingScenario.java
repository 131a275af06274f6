package dev.optimizer.benchmarks.ai;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.optimizer.ai.inference.langchain4j.BatchingEmbeddingModel;
import dev.optimizer.ai.inference.vector.Vectors;
import dev.optimizer.benchmarks.Scenario;
import dev.optimizer.benchmarks.ScenarioResult;
import dev.optimizer.benchmarks.ScenarioResult.Target;
import dev.optimizer.runtime.Optimizer;
import io.opentelemetry.api.OpenTelemetry;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * ai-embedding-batching: 64 closed-loop callers each embedding one QQP question at a time, through
 * LangChain4j's AllMiniLmL6V2EmbeddingModel called directly and through the batching decorator over
 * the same model; the single-caller median latency of both; and the largest cosine distance between
 * their vectors.
 */
public final class EmbeddingBatchingScenario implements Scenario {

  @Override
  public String name() {
    return "ai-embedding-batching";
  }

  @Override
  public String description() {
    return "64 concurrent callers embedding single QQP questions: LangChain4j all-MiniLM-L6-v2"
        + " called directly vs the batching decorator (real tensor batches)";
  }

  @Override
  public ScenarioResult run(boolean quick) throws Exception {
    Djl.offline();
    List<String> questions = Qqp.distinctQuestions(8).subList(0, 20_000);
    ScenarioResult r = new ScenarioResult();
    int callers = 64;
    double seconds = quick ? 8 : 20;
    int rounds = quick ? 2 : 3;
    AllMiniLmL6V2EmbeddingModel direct = new AllMiniLmL6V2EmbeddingModel();
    try (Optimizer optimizer = Optimizer.builder().openTelemetry(OpenTelemetry.noop()).build();
        BatchingEmbeddingModel batched =
            BatchingEmbeddingModel.builder(optimizer, direct).workers(1).build()) {
      // Warm both paths: JIT, ONNX Runtime's allocator, the tokenizer.
      for (int i = 0; i < 200; i++) {
        direct.embed(questions.get(i));
        batched.embed(questions.get(i));
      }
      load(batched, questions, callers, 2, new AtomicInteger());

      // Single caller: interleaved blocks, so that drift of the machine hits both alike.
      int singles = quick ? 600 : 1500;
      long[] one = new long[singles];
      long[] oneBatched = new long[singles];
      for (int block = 0; block < singles / 50; block++) {
        for (int pass = 0; pass < 2; pass++) {
          boolean directFirst = block % 2 == 0;
          boolean isDirect = directFirst == (pass == 0);
          EmbeddingModel m = isDirect ? direct : batched;
          long[] into = isDirect ? one : oneBatched;
          for (int i = 0; i < 50; i++) {
            String q = questions.get(1000 + block * 50 + i);
            long t0 = System.nanoTime();
            m.embed(q);
            into[block * 50 + i] = System.nanoTime() - t0;
          }
        }
      }
      Arrays.sort(one);
      Arrays.sort(oneBatched);
      double p50Direct = one[singles / 2] / 1e6;
      double p50Batched = oneBatched[singles / 2] / 1e6;

      // 64 callers, alternating rounds.
      AtomicInteger cursor = new AtomicInteger(5000);
      double directOps = 0;
      double batchedOps = 0;
      long batchesBefore = batched.batcher().stats().batches();
      long itemsBefore = batched.batcher().stats().items();
      for (int round = 0; round < rounds; round++) {
        directOps += load(direct, questions, callers, seconds / rounds, cursor);
        batchedOps += load(batched, questions, callers, seconds / rounds, cursor);
      }
      double directTput = directOps / seconds;
      double batchedTput = batchedOps / seconds;
      long batches = batched.batcher().stats().batches() - batchesBefore;
      long items = batched.batcher().stats().items() - itemsBefore;

      // Fidelity: the same texts through both, the batched side in real batches.
      List<String> sample = questions.subList(0, quick ? 500 : 2000);
      var batchedVectors =
          batched
              .embedAll(
                  sample.stream().map(dev.langchain4j.data.segment.TextSegment::from).toList())
              .content();
      double maxDev = 0;
      double sumDev = 0;
      for (int i = 0; i < sample.size(); i++) {
        float[] a = direct.embed(sample.get(i)).content().vector();
        float[] b = batchedVectors.get(i).vector();
        double dev = 1 - Vectors.cosine(a, b);
        maxDev = Math.max(maxDev, dev);
        sumDev += dev;
      }

      r.baseline("callers", callers);
      r.optimized("callers", callers);
      r.baseline("throughput (embeddings/s)", directTput);
      r.optimized("throughput (embeddings/s)", batchedTput);
      r.baseline("p50 at 1 caller (ms)", p50Direct);
      r.optimized("p50 at 1 caller (ms)", p50Batched);
      r.optimized("mean batch size at 64 callers", batches == 0 ? 0.0 : (double) items / batches);
      r.optimized("max delay knob (us)", (double) batched.batcher().maxDelayKnob().value());
      r.optimized("mean cosine deviation", sumDev / sample.size());
      r.ratio("throughput_ratio", batchedTput / directTput, Target.atLeast(2.5));
      r.ratio("p50_ratio_at_concurrency_1", p50Batched / p50Direct, Target.atMost(1.1));
      r.ratio("max_cosine_deviation", maxDev, Target.atMost(1e-4));
      r.note(
          "setup",
          callers
              + " closed-loop threads, "
              + rounds
              + " alternating rounds of "
              + (seconds / rounds)
              + " s per side; distinct QQP questions; one ONNX Runtime session per side,"
              + " intra-op threads = "
              + Runtime.getRuntime().availableProcessors());
      r.note("fidelity", sample.size() + " questions, 1 - cosine(direct, batched)");
    }
    return r;
  }

  /** Runs {@code callers} closed-loop threads for {@code seconds}; returns completed calls. */
  static long load(
      EmbeddingModel model,
      List<String> questions,
      int callers,
      double seconds,
      AtomicInteger cursor)
      throws InterruptedException {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong done = new AtomicLong();
    Thread[] threads = new Thread[callers];
    for (int t = 0; t < callers; t++) {
      threads[t] =
          new Thread(
              () -> {
                while (!stop.get()) {
                  int k = Math.floorMod(cursor.getAndIncrement(), questions.size());
                  model.embed(questions.get(k));
                  if (!stop.get()) {
                    done.incrementAndGet();
                  }
                }
              },
              "caller-" + t);
      threads[t].setDaemon(true);
    }
    for (Thread t : threads) {
      t.start();
    }
    Thread.sleep((long) (seconds * 1000));
    stop.set(true);
    for (Thread t : threads) {
      t.join();
    }
    return done.get();
  }
}
