package dev.optimizer.ai.inference.quantize;

import dev.optimizer.ai.inference.quantize.internal.GraphQuantizer;
import dev.optimizer.ai.inference.quantize.internal.LayerNormFusion;
import dev.optimizer.api.internal.Checks;
import java.nio.file.Path;

/**
 * Float-exact graph rewrites that ONNX Runtime's own optimizer misses, for float models. {@link
 * OnnxQuantizer} applies the same rewrite before quantizing (its {@code fuseLayerNorm} setting), so
 * a float model given this rewrite is the fair float32 baseline for a quantized one: what is left
 * between the two is the quantization.
 *
 * <pre>{@code
 * int fused = OnnxFusion.fuseLayerNorms(Path.of("model.onnx"), Path.of("model-fused.onnx"));
 * }</pre>
 */
public final class OnnxFusion {

  private OnnxFusion() {}

  /**
   * Rewrites each residual {@code Add} followed by a layer normalization (nine elementwise nodes,
   * as exported below opset 17, or one {@code LayerNormalization}) into ONNX Runtime's {@code
   * com.microsoft:SkipLayerNormalization}, with a bias {@code Add} in front folded in, and writes
   * the model to {@code output} (also when nothing matched, as an unchanged copy). The output needs
   * ONNX Runtime.
   *
   * @return how many normalizations were rewritten
   * @throws IllegalArgumentException if {@code input} is not an ONNX model
   * @throws java.io.UncheckedIOException if a file cannot be read or written
   */
  public static int fuseLayerNorms(Path input, Path output) {
    Checks.notNull("input", input);
    Checks.notNull("output", output);
    byte[] bytes = ModelFiles.read(input, "input model");
    LayerNormFusion.Fused f =
        LayerNormFusion.fuse(GraphQuantizer.parse(bytes, input.getFileName().toString()));
    ModelFiles.write(output, f.fused() == 0 ? bytes : f.model().toByteArray(), "fused model");
    return f.fused();
  }
}
