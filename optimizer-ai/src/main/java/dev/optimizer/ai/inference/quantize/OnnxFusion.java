package dev.optimizer.ai.inference.quantize;

import dev.optimizer.ai.inference.quantize.internal.AttentionFusion;
import dev.optimizer.ai.inference.quantize.internal.GraphQuantizer;
import dev.optimizer.ai.inference.quantize.internal.LayerNormFusion;
import dev.optimizer.ai.inference.quantize.internal.onnx.Onnx.ModelProto;
import dev.optimizer.api.internal.Checks;
import java.nio.file.Path;

/**
 * Float-exact graph rewrites that ONNX Runtime's own optimizer misses on transformer encoders
 * exported by PyTorch, for float models. {@link OnnxQuantizer} applies the same rewrites before
 * quantizing (its {@code fuseLayerNorm} and {@code fuseAttention} settings), so a float model given
 * them is the fair float32 baseline for a quantized one: what is left between the two is the
 * quantization.
 *
 * <pre>{@code
 * OnnxFusion.Result r = OnnxFusion.fuse(Path.of("model.onnx"), Path.of("model-fused.onnx"));
 * }</pre>
 */
public final class OnnxFusion {

  private OnnxFusion() {}

  /**
   * What {@link #fuse(Path, Path)} rewrote.
   *
   * @param layerNorms residual Add + layer normalizations that became {@code
   *     com.microsoft:SkipLayerNormalization}
   * @param attentionBlocks self-attention blocks that became {@code com.microsoft:Attention}
   */
  public record Result(int layerNorms, int attentionBlocks) {}

  /**
   * Rewrites each residual {@code Add} followed by a layer normalization (nine elementwise nodes,
   * as exported below opset 17, or one {@code LayerNormalization}) into ONNX Runtime's {@code
   * com.microsoft:SkipLayerNormalization}, with a bias {@code Add} in front folded in, then each
   * BERT self-attention block into one {@code com.microsoft:Attention}, and writes the model to
   * {@code output} (an unchanged copy when nothing matched). The output needs ONNX Runtime.
   *
   * @throws IllegalArgumentException if {@code input} is not an ONNX model
   * @throws java.io.UncheckedIOException if a file cannot be read or written
   */
  public static Result fuse(Path input, Path output) {
    Checks.notNull("input", input);
    Checks.notNull("output", output);
    byte[] bytes = ModelFiles.read(input, "input model");
    ModelProto model = GraphQuantizer.parse(bytes, input.getFileName().toString());
    LayerNormFusion.Fused norms = LayerNormFusion.fuse(model);
    AttentionFusion.Fused attention = AttentionFusion.fuse(norms.model());
    Result r = new Result(norms.fused(), attention.fused());
    boolean changed = r.layerNorms() + r.attentionBlocks() > 0;
    ModelFiles.write(output, changed ? attention.model().toByteArray() : bytes, "fused model");
    return r;
  }
}
