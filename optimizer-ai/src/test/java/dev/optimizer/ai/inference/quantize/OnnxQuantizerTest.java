package dev.optimizer.ai.inference.quantize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.optimizer.ai.inference.MiniLm;
import dev.optimizer.ai.inference.onnx.OnnxTextEmbedder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Quantizes the real all-MiniLM-L6-v2 from LangChain4j's Maven artifact. */
class OnnxQuantizerTest {

  static final List<String> TEXTS =
      List.of(
          "How do I learn Java quickly?",
          "What is the best way to learn Java?",
          "Why is the sky blue?",
          "How can I lose weight fast?",
          "What are the health benefits of green tea?",
          "Which is the best laptop for programming under $1000?",
          "How does a neural network learn?",
          "What is the capital of Australia?",
          "How do I make my own website?",
          "Is it safe to travel to Egypt right now?",
          "What should I do to become a data scientist?",
          "Why do cats purr?",
          "How can I improve my English speaking skills?",
          "What is the meaning of life?",
          "Who will win the next football world cup?",
          "How do vaccines work?");

  @TempDir static Path dir;
  static Path fp32;
  static Path quantized;
  static byte[] tokenizer;
  static QuantizationResult result;

  @BeforeAll
  static void quantizeOnce() throws IOException {
    fp32 = dir.resolve("all-minilm-l6-v2.onnx");
    Files.write(fp32, resource("/all-minilm-l6-v2.onnx"));
    tokenizer = resource("/all-minilm-l6-v2-tokenizer.json");
    quantized = dir.resolve("all-minilm-l6-v2-int8.onnx");
    result = OnnxQuantizer.builder().accuracyGuard(guard(0.98)).build().quantize(fp32, quantized);
  }

  static EmbeddingAccuracyGuard guard(double limit) {
    return EmbeddingAccuracyGuard.builder()
        .tokenizer(tokenizer)
        .calibrationTexts(TEXTS)
        .minMeanCosine(limit)
        .intraOpThreads(2)
        .build();
  }

  static byte[] resource(String name) throws IOException {
    try (InputStream in = AllMiniLmL6V2EmbeddingModel.class.getResourceAsStream(name)) {
      return in.readAllBytes();
    }
  }

  @Test
  void quantizesEveryMatMulOfTheEncoderToInt8() {
    // all-MiniLM-L6-v2: 6 layers × (Q, K, V, output, two feed-forward) = 36 weight MatMuls; the
    // other 12 multiply two activations (attention scores and context) and stay float.
    assertThat(result.quantizedNodes()).isEqualTo(36);
    assertThat(result.matMulNodes()).isEqualTo(48);
    assertThat(result.weightBytesAfter()).isLessThan(result.weightBytesBefore() / 3);
    // The 47 MB word-embedding table is read by a Gather, not a MatMul, and stays float.
    assertThat(result.modelBytesAfter()).isLessThan(result.modelBytesBefore() * 7 / 10);
    assertThat(result.meanCosine()).isGreaterThanOrEqualTo(0.98);
    assertThat(result.calibrationSize()).isEqualTo(TEXTS.size());
  }

  @Test
  void quantizedModelLoadsInOnnxRuntimeAndStaysCloseToFloat32() {
    try (OnnxTextEmbedder q =
        OnnxTextEmbedder.builder()
            .model(quantized)
            .tokenizer(tokenizer)
            .intraOpThreads(2)
            .build()) {
      List<float[]> ours = q.embedAll(TEXTS);
      List<float[]> reference = MiniLm.embedder().embedAll(TEXTS);
      double sum = 0;
      for (int i = 0; i < TEXTS.size(); i++) {
        assertThat(ours.get(i)).hasSize(384);
        sum += 1 - MiniLm.cosineDistance(ours.get(i), reference.get(i));
      }
      assertThat(sum / TEXTS.size()).isGreaterThanOrEqualTo(0.98);
    }
  }

  @Test
  void perNodeDynamicQuantizeMatMulFormIsValidToo() {
    Path out = dir.resolve("per-node-int8.onnx");
    QuantizationResult r =
        OnnxQuantizer.builder()
            .shareActivationQuantization(false)
            .accuracyGuard(guard(0.98))
            .build()
            .quantize(fp32, out);
    assertThat(r.quantizedNodes()).isEqualTo(36);
    assertThat(r.meanCosine()).isGreaterThanOrEqualTo(0.98);
  }

  @Test
  void anExcludedProjectionStaysFloatWhereTheFusionsWouldHaveTakenIt() {
    // With the default fusions the query projection is taken into an Attention node (or merged
    // with key and value) before exclusions were looked at, so excluding it changed nothing.
    QuantizationResult r =
        OnnxQuantizer.builder()
            .excludeNode("/encoder/layer.0/attention/self/query/MatMul")
            .accuracyGuard(guard(0.98))
            .build()
            .quantize(fp32, dir.resolve("excluded-int8.onnx"));
    assertThat(r.quantizedNodes()).isEqualTo(35);
  }

  @Test
  void anExcludedNameThatIsNoNodeIsRefused() {
    Path out = dir.resolve("never-written.onnx");
    assertThatThrownBy(
            () ->
                OnnxQuantizer.builder()
                    .excludeNode("/encoder/layer.0/attention/self/qurey/MatMul")
                    .build()
                    .quantize(fp32, out))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("excludeNode names no node of the model")
        .hasMessageContaining("qurey")
        .hasMessageContaining("/encoder/layer.0/attention/self/query/MatMul");
    assertThat(out).doesNotExist();
  }

  @Test
  void mergingQueryKeyAndValueProjectionsChangesNothingButTheGraph() {
    // Without the attention rewrite (which takes the projections into QAttention) the three
    // projections are merged into one MatMul + Split, or not.
    QuantizationResult merged =
        OnnxQuantizer.builder()
            .fuseAttention(false)
            .accuracyGuard(guard(0.98))
            .build()
            .quantize(fp32, dir.resolve("merged-int8.onnx"));
    QuantizationResult unmerged =
        OnnxQuantizer.builder()
            .fuseAttention(false)
            .fuseProjections(false)
            .accuracyGuard(guard(0.98))
            .build()
            .quantize(fp32, dir.resolve("unmerged-int8.onnx"));
    assertThat(unmerged.quantizedNodes()).isEqualTo(36);
    assertThat(merged.quantizedNodes()).isEqualTo(36);
    // Per-column scales: the merged weight quantizes exactly as its parts do.
    assertThat(unmerged.meanCosine()).isCloseTo(merged.meanCosine(), within(1e-4));
  }

  @Test
  void guardRefusesWhenTheLossExceedsTheLimitAndLeavesTheOutputAlone() throws IOException {
    Path out = dir.resolve("refused.onnx");
    Files.writeString(out, "previous model");
    assertThatThrownBy(
            () -> OnnxQuantizer.builder().accuracyGuard(guard(1.0)).build().quantize(fp32, out))
        .isInstanceOf(AccuracyLossException.class)
        .hasMessageContaining("minMeanCosine=1.00000")
        .hasMessageContaining("mean cosine against float32 on 16 calibration inputs is 0.9")
        .satisfies(e -> assertThat(((AccuracyLossException) e).measured()).isBetween(0.98, 1.0));
    assertThat(Files.readString(out)).isEqualTo("previous model");
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
    }
  }

  @Test
  void rejectsAFileThatIsNotOnnx() throws IOException {
    Path text = dir.resolve("notes.onnx");
    Files.writeString(text, "this is a text file, not a model\n");
    Path out = dir.resolve("never.onnx");
    assertThatThrownBy(() -> OnnxQuantizer.builder().build().quantize(text, out))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'notes.onnx'")
        .hasMessageContaining("is not an ONNX model");
    Path empty = dir.resolve("empty.onnx");
    Files.write(empty, new byte[0]);
    assertThatThrownBy(() -> OnnxQuantizer.builder().build().quantize(empty, out))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not an ONNX model");
    assertThat(out).doesNotExist();
  }

  @Test
  void settingsAreCheckedWithTheirRange() {
    assertThatThrownBy(() -> EmbeddingAccuracyGuard.builder().minMeanCosine(1.5))
        .hasMessage("minMeanCosine must be in (0, 1], but was 1.5");
    assertThatThrownBy(() -> EmbeddingAccuracyGuard.builder().calibrationTexts(List.of(" ")))
        .hasMessageContaining("calibrationTexts[0] must be a non-blank text");
    assertThatThrownBy(() -> OnnxQuantizer.builder().minWeightElements(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("minWeightElements");
  }

  @Test
  void commandWritesTheModelAndReportsTheMeasuredCosine() throws IOException {
    Path tok = dir.resolve("tokenizer.json");
    Files.write(tok, tokenizer);
    Path texts = dir.resolve("calibration.txt");
    Files.write(texts, TEXTS.subList(0, 4));
    Path out = dir.resolve("cmd-int8.onnx");
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    int status =
        QuantizeCommand.run(
            new String[] {
              "quantize",
              fp32.toString(),
              out.toString(),
              "--tokenizer",
              tok.toString(),
              "--calibration",
              texts.toString()
            },
            new PrintStream(stdout, true, StandardCharsets.UTF_8),
            new PrintStream(stderr, true, StandardCharsets.UTF_8));
    assertThat(stderr.toString(StandardCharsets.UTF_8)).isEmpty();
    assertThat(status).isZero();
    assertThat(stdout.toString(StandardCharsets.UTF_8))
        .contains("36 of 48 MatMul/Gemm nodes int8")
        .contains("mean cosine vs float32 0.9");
    assertThat(out).exists();
    assertThat(QuantizeCommand.run(new String[] {"quantize"}, System.out, System.err)).isEqualTo(2);
  }

  @Test
  void aMinCosineThatIsNoNumberIsReportedWithItsOption() {
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    int rc =
        QuantizeCommand.run(
            new String[] {
              "quantize",
              "in.onnx",
              "out.onnx",
              "--tokenizer",
              "t.json",
              "--calibration",
              "c.txt",
              "--min-cosine",
              "abc"
            },
            System.out,
            new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
    assertThat(rc).isEqualTo(2);
    assertThat(err.toString(java.nio.charset.StandardCharsets.UTF_8))
        .contains("--min-cosine must be a number in (0, 1], but was 'abc'");
  }
}
