package dev.optimizer.ai.inference.quantize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.optimizer.ai.inference.MiniLm;
import dev.optimizer.ai.inference.onnx.OnnxTextEmbedder;
import dev.optimizer.ai.inference.quantize.internal.onnx.Onnx.ModelProto;
import dev.optimizer.ai.inference.quantize.internal.onnx.Onnx.NodeProto;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The float rewrites on the real all-MiniLM-L6-v2, alone and inside the quantizer. */
class OnnxFusionTest {

  @TempDir static Path dir;
  static Path fp32;
  static Path fused;
  static byte[] tokenizer;
  static OnnxFusion.Result result;

  @BeforeAll
  static void fuseOnce() throws IOException {
    fp32 = dir.resolve("all-minilm-l6-v2.onnx");
    Files.write(fp32, OnnxQuantizerTest.resource("/all-minilm-l6-v2.onnx"));
    tokenizer = OnnxQuantizerTest.resource("/all-minilm-l6-v2-tokenizer.json");
    fused = dir.resolve("all-minilm-l6-v2-fused.onnx");
    result = OnnxFusion.fuse(fp32, fused);
  }

  static EmbeddingAccuracyGuard guard() {
    return EmbeddingAccuracyGuard.builder()
        .tokenizer(tokenizer)
        .calibrationTexts(OnnxQuantizerTest.TEXTS)
        .minMeanCosine(0.98)
        .intraOpThreads(2)
        .build();
  }

  static Map<String, Integer> ops(Path model) throws IOException {
    Map<String, Integer> count = new TreeMap<>();
    for (NodeProto n : ModelProto.parseFrom(Files.readAllBytes(model)).getGraph().getNodeList()) {
      count.merge(n.getOpType(), 1, Integer::sum);
    }
    return count;
  }

  @Test
  void everyNormalizationAndAttentionBlockOfTheEncoderIsRewritten() throws IOException {
    // 6 layers × 2 residual normalizations + the embeddings' one; 6 self-attention blocks.
    assertThat(result).isEqualTo(new OnnxFusion.Result(13, 6));
    Map<String, Integer> ops = ops(fused);
    assertThat(ops).containsEntry("SkipLayerNormalization", 13).containsEntry("Attention", 6);
    // What the rewrites replace is gone: the decomposed normalizations, the heads' reshapes and
    // transposes, the softmax, and the run-time shape computations that fed them.
    assertThat(ops)
        .doesNotContainKeys(
            "ReduceMean", "Pow", "Sqrt", "Transpose", "Reshape", "Softmax", "Concat");
    // The attention products now live inside Attention: 6 layers × (output, two feed-forward).
    assertThat(ops).containsEntry("MatMul", 18);
  }

  @Test
  void fusedFloatModelGivesTheSameVectorsAsTheExportedOne() {
    try (OnnxTextEmbedder f =
        OnnxTextEmbedder.builder().model(fused).tokenizer(tokenizer).intraOpThreads(2).build()) {
      // Different lengths in one batch, so padding and the attention mask are exercised.
      List<float[]> ours = f.embedAll(OnnxQuantizerTest.TEXTS);
      List<float[]> reference = MiniLm.embedder().embedAll(OnnxQuantizerTest.TEXTS);
      for (int i = 0; i < ours.size(); i++) {
        assertThat(MiniLm.cosineDistance(ours.get(i), reference.get(i))).isLessThan(1e-5);
      }
    }
  }

  @Test
  void fusingAFusedModelChangesNothing() throws IOException {
    Path again = dir.resolve("again.onnx");
    assertThat(OnnxFusion.fuse(fused, again)).isEqualTo(new OnnxFusion.Result(0, 0));
    assertThat(Files.readAllBytes(again)).isEqualTo(Files.readAllBytes(fused));
  }

  @Test
  void quantizerTurnsEachAttentionIntoQAttention() throws IOException {
    Path out = dir.resolve("int8.onnx");
    QuantizationResult r =
        OnnxQuantizer.builder().accuracyGuard(guard()).build().quantize(fp32, out);
    assertThat(r.quantizedNodes()).isEqualTo(36);
    assertThat(r.meanCosine()).isGreaterThanOrEqualTo(0.98);
    Map<String, Integer> ops = ops(out);
    assertThat(ops)
        .containsEntry("QAttention", 6)
        .containsEntry("SkipLayerNormalization", 13)
        .containsEntry("MatMulIntegerToFloat", 18)
        .doesNotContainKeys("Attention", "Transpose", "MatMul");
  }

  @Test
  void withoutTheRewritesTheQuantizerKeepsTheExportedGraphAroundItsMatMuls() throws IOException {
    Path out = dir.resolve("plain-int8.onnx");
    QuantizationResult r =
        OnnxQuantizer.builder()
            .fuseLayerNorm(false)
            .fuseAttention(false)
            .accuracyGuard(guard())
            .build()
            .quantize(fp32, out);
    assertThat(r.quantizedNodes()).isEqualTo(36);
    Map<String, Integer> ops = ops(out);
    assertThat(ops).doesNotContainKeys("SkipLayerNormalization", "Attention", "QAttention");
    assertThat(ops).containsEntry("Transpose", 24).containsEntry("MatMul", 12);
  }

  @Test
  void commandWritesTheFusedFloatModel() throws IOException {
    Path out = dir.resolve("cmd-fused.onnx");
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    int status =
        QuantizeCommand.run(
            new String[] {"fuse", fp32.toString(), out.toString()},
            new PrintStream(stdout, true, StandardCharsets.UTF_8),
            new PrintStream(stderr, true, StandardCharsets.UTF_8));
    assertThat(stderr.toString(StandardCharsets.UTF_8)).isEmpty();
    assertThat(status).isZero();
    assertThat(stdout.toString(StandardCharsets.UTF_8))
        .contains("13 layer normalizations as SkipLayerNormalization, 6 attention blocks");
    assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(fused));
    assertThat(QuantizeCommand.run(new String[] {"fuse", "x"}, System.out, System.err))
        .isEqualTo(2);
  }

  @Test
  void rejectsAFileThatIsNotOnnx() throws IOException {
    Path text = dir.resolve("notes.onnx");
    Files.writeString(text, "not a model");
    Path out = dir.resolve("never.onnx");
    assertThatThrownBy(() -> OnnxFusion.fuse(text, out))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'notes.onnx'")
        .hasMessageContaining("is not an ONNX model");
    assertThat(out).doesNotExist();
  }
}
