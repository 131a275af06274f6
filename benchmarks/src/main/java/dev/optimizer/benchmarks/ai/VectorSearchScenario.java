package dev.optimizer.benchmarks.ai;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.optimizer.ai.inference.onnx.OnnxTextEmbedder;
import dev.optimizer.ai.inference.onnx.Truncation;
import dev.optimizer.ai.inference.vector.QuantizedEmbeddingStore;
import dev.optimizer.ai.inference.vector.QuantizedVectorIndex;
import dev.optimizer.ai.inference.vector.VectorEncoding;
import dev.optimizer.benchmarks.Scenario;
import dev.optimizer.benchmarks.ScenarioResult;
import dev.optimizer.benchmarks.ScenarioResult.Target;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * ai-vector-search: 20,000 QQP questions embedded with all-MiniLM-L6-v2; exact float32 brute force
 * against the int8 index with exact rescoring (full vectors in a file), on held-out questions. The
 * same vectors through a {@link QuantizedEmbeddingStore} (what a LangChain4j user holds) give the
 * reported, untargeted store_memory_ratio.
 */
public final class VectorSearchScenario implements Scenario {

  static final int CORPUS = 20_000;

  @Override
  public String name() {
    return "ai-vector-search";
  }

  @Override
  public String description() {
    return "20,000 QQP question embeddings: exact float32 search vs int8 scan with exact rescoring"
        + " (recall@10, heap per vector, query latency)";
  }

  @Override
  public ScenarioResult run(boolean quick) throws Exception {
    Djl.offline();
    int queries = quick ? 300 : 1000;
    List<String> questions = Qqp.distinctQuestions(20).subList(0, CORPUS + queries);
    float[][] vectors = embeddings(questions);
    float[][] corpus = Arrays.copyOf(vectors, CORPUS);
    float[][] query = Arrays.copyOfRange(vectors, CORPUS, CORPUS + queries);
    Path dir = Files.createDirectories(Path.of("target", "ai-vector-search"));
    ScenarioResult r = new ScenarioResult();
    try (QuantizedVectorIndex int8 =
            QuantizedVectorIndex.builder(384).exactVectorsFile(dir.resolve("int8.f32")).build();
        QuantizedVectorIndex binary =
            QuantizedVectorIndex.builder(384)
                .encoding(VectorEncoding.BINARY)
                .exactVectorsFile(dir.resolve("binary.f32"))
                .build();
        QuantizedVectorIndex storeIndex =
            QuantizedVectorIndex.builder(384).exactVectorsFile(dir.resolve("store.f32")).build()) {
      QuantizedEmbeddingStore<TextSegment> store = new QuantizedEmbeddingStore<>(storeIndex);
      for (int i = 0; i < CORPUS; i++) {
        int8.add(Integer.toString(i), corpus[i]);
        binary.add(Integer.toString(i), corpus[i]);
        store.add(Integer.toString(i), Embedding.from(corpus[i]));
      }
      // Warm up all three paths.
      for (int i = 0; i < 100; i++) {
        exactTop10(corpus, query[i % queries]);
        int8.search(query[i % queries], 10);
        binary.search(query[i % queries], 10);
      }
      long[] exactNanos = new long[queries];
      long[] int8Nanos = new long[queries];
      double recallInt8 = 0;
      double recallBinary = 0;
      for (int q = 0; q < queries; q++) {
        long t0 = System.nanoTime();
        int[] truth = exactTop10(corpus, query[q]);
        long t1 = System.nanoTime();
        List<QuantizedVectorIndex.Match> found = int8.search(query[q], 10);
        long t2 = System.nanoTime();
        exactNanos[q] = t1 - t0;
        int8Nanos[q] = t2 - t1;
        Set<String> want = new HashSet<>();
        for (int t : truth) {
          want.add(Integer.toString(t));
        }
        recallInt8 += hits(want, found) / 10.0;
        recallBinary += hits(want, binary.search(query[q], 10)) / 10.0;
      }
      recallInt8 /= queries;
      recallBinary /= queries;
      Arrays.sort(exactNanos);
      Arrays.sort(int8Nanos);
      double exactP50 = exactNanos[queries / 2] / 1e3;
      double int8P50 = int8Nanos[queries / 2] / 1e3;
      double fp32Bytes = int8.float32Bytes();
      r.baseline("vectors", CORPUS);
      r.optimized("vectors", CORPUS);
      r.baseline("heap bytes per vector", fp32Bytes / CORPUS);
      r.optimized("heap bytes per vector", (double) int8.memoryBytes() / CORPUS);
      r.baseline("recall@10", 1.0);
      r.optimized("recall@10", recallInt8);
      r.baseline("query p50 (us)", exactP50);
      r.optimized("query p50 (us)", int8P50);
      r.optimized("binary: recall@10", recallBinary);
      r.optimized("binary: heap bytes per vector", (double) binary.memoryBytes() / CORPUS);
      r.optimized("store: heap bytes per vector", (double) store.memoryBytes() / CORPUS);
      r.ratio("recall_at_10", recallInt8, Target.atLeast(0.99));
      r.ratio("memory_ratio", int8.memoryBytes() / fp32Bytes, Target.atMost(0.3));
      r.ratio("query_p50_ratio", int8P50 / exactP50);
      // Reported, not targeted: the whole LangChain4j store (index and what it keeps per entry).
      r.ratio("store_memory_ratio", store.memoryBytes() / fp32Bytes);
      r.note(
          "setup",
          CORPUS
              + " distinct QQP questions indexed, "
              + queries
              + " held-out questions as queries; int8: 1 byte/dimension + 4-byte scale, top 100"
              + " candidates rescored with float32 vectors read from a file; exact: brute-force"
              + " float32 dot products over normalised vectors held in the heap; store: the same"
              + " vectors added through a QuantizedEmbeddingStore (ids, no embedded values)");
    }
    return r;
  }

  private static int hits(Set<String> want, List<QuantizedVectorIndex.Match> found) {
    int n = 0;
    for (QuantizedVectorIndex.Match m : found) {
      if (want.contains(m.id())) {
        n++;
      }
    }
    return n;
  }

  /** Brute-force exact top 10 by dot product of normalised vectors. */
  static int[] exactTop10(float[][] corpus, float[] q) {
    int[] best = new int[10];
    double[] score = new double[10];
    Arrays.fill(score, Double.NEGATIVE_INFINITY);
    for (int i = 0; i < corpus.length; i++) {
      float[] v = corpus[i];
      float dot = 0;
      for (int j = 0; j < v.length; j++) {
        dot += v[j] * q[j];
      }
      if (dot > score[9]) {
        int k = 9;
        while (k > 0 && score[k - 1] < dot) {
          score[k] = score[k - 1];
          best[k] = best[k - 1];
          k--;
        }
        score[k] = dot;
        best[k] = i;
      }
    }
    return best;
  }

  /** Embeds the questions once and keeps the vectors under target/ for later runs. */
  static float[][] embeddings(List<String> questions) throws IOException {
    Path cache = Path.of("target", "ai-cache", "qqp-minilm-" + questions.size() + ".f32");
    if (Files.isRegularFile(cache)) {
      try (InputStream in = Files.newInputStream(cache);
          DataInputStream data = new DataInputStream(new java.io.BufferedInputStream(in))) {
        float[][] out = new float[data.readInt()][data.readInt()];
        for (float[] v : out) {
          for (int j = 0; j < v.length; j++) {
            v[j] = data.readFloat();
          }
        }
        if (out.length == questions.size()) {
          return out;
        }
      }
    }
    float[][] out = new float[questions.size()][];
    try (OnnxTextEmbedder embedder =
        OnnxTextEmbedder.builder()
            .resources(
                AllMiniLmL6V2EmbeddingModel.class,
                "all-minilm-l6-v2.onnx",
                "all-minilm-l6-v2-tokenizer.json")
            .truncation(Truncation.TRUNCATE)
            .build()) {
      int chunk = 256;
      for (int i = 0; i < questions.size(); i += chunk) {
        List<String> part =
            new ArrayList<>(questions.subList(i, Math.min(questions.size(), i + chunk)));
        List<float[]> vs = embedder.embedAll(part);
        for (int k = 0; k < vs.size(); k++) {
          out[i + k] = vs.get(k);
        }
      }
    }
    Files.createDirectories(cache.getParent());
    try (OutputStream os = Files.newOutputStream(cache);
        DataOutputStream data = new DataOutputStream(new java.io.BufferedOutputStream(os))) {
      data.writeInt(out.length);
      data.writeInt(out[0].length);
      for (float[] v : out) {
        for (float x : v) {
          data.writeFloat(x);
        }
      }
    }
    return out;
  }
}
