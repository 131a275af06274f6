package dev.optimizer.ai.inference.quantize;

import dev.optimizer.ai.inference.quantize.internal.GraphQuantizer;
import dev.optimizer.api.internal.Checks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * Dynamic int8 quantization of ONNX models, in Java: what ONNX Runtime's Python {@code
 * quantize_dynamic} does for transformer encoders, with an accuracy guard.
 *
 * <pre>{@code
 * QuantizationResult r =
 *     OnnxQuantizer.builder()
 *         .accuracyGuard(
 *             EmbeddingAccuracyGuard.builder()
 *                 .tokenizer(Path.of("tokenizer.json"))
 *                 .calibrationTexts(questions)
 *                 .minMeanCosine(0.98)
 *                 .build())
 *         .build()
 *         .quantize(Path.of("model.onnx"), Path.of("model-int8.onnx"));
 * }</pre>
 *
 * <p>Every {@code MatMul}, and every plain {@code Gemm}, whose weight is a 2-D float initializer
 * becomes an ONNX Runtime {@code com.microsoft:DynamicQuantizeMatMul}: the weight is stored as int8
 * with one scale per output column, the activations are quantized to uint8 at run time from their
 * own range, and the product is computed in integers and rescaled. The model then needs ONNX
 * Runtime (the operator is one of its contrib operators), as models from the Python quantizer do.
 *
 * <p>With an accuracy guard the quantized model is compared with the float model on the calibration
 * set before anything is written; when the mean cosine is below the limit, {@link
 * AccuracyLossException} is thrown and the output path is left as it was. The output is written to
 * a temporary file beside it and moved into place, so a reader never sees half a model.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>setting</th><th>default</th><th>range</th></tr>
 *   <tr><td>accuracyGuard</td><td>none</td><td>an {@link EmbeddingAccuracyGuard}</td></tr>
 *   <tr><td>minWeightElements</td><td>4096</td><td>[1, 2^31-1]: smaller weights stay float</td></tr>
 *   <tr><td>reduceRange</td><td>false</td><td>7-bit weights, for x86 CPUs without VNNI</td></tr>
 *   <tr><td>shareActivationQuantization</td><td>true</td><td>one DynamicQuantizeLinear per activation</td></tr>
 *   <tr><td>fuseProjections</td><td>true</td><td>merge sibling projections before quantizing</td></tr>
 *   <tr><td>fuseLayerNorm</td><td>true</td><td>residual Add + LayerNorm as SkipLayerNormalization</td></tr>
 *   <tr><td>fuseAttention</td><td>true</td><td>self-attention as Attention, then QAttention</td></tr>
 *   <tr><td>excludeNode</td><td>none</td><td>names of nodes kept in float</td></tr>
 * </table>
 */
public final class OnnxQuantizer {

  private final EmbeddingAccuracyGuard guard;
  private final GraphQuantizer graphQuantizer;

  private OnnxQuantizer(Builder b) {
    this.guard = b.guard;
    this.graphQuantizer =
        new GraphQuantizer(
            b.minWeightElements,
            b.reduceRange,
            b.excluded,
            b.shareActivations,
            b.fuseSiblings,
            b.fuseLayerNorm,
            b.fuseAttention);
  }

  /** Starts a builder; every setting has a default. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Quantizes the model in {@code input} and writes it to {@code output}, after the accuracy guard
   * (if any) has accepted it.
   *
   * @throws IllegalArgumentException if {@code input} is not an ONNX model, or has no MatMul/Gemm
   *     with a float weight to quantize
   * @throws AccuracyLossException if the guard refuses the quantized model (nothing is written)
   * @throws UncheckedIOException if a file cannot be read or written
   */
  public QuantizationResult quantize(Path input, Path output) {
    Checks.notNull("input", input);
    Checks.notNull("output", output);
    byte[] original;
    try {
      original = Files.readAllBytes(input);
    } catch (IOException e) {
      throw new UncheckedIOException("input model " + input + " cannot be read", e);
    }
    String name = input.getFileName().toString();
    GraphQuantizer.Outcome outcome = graphQuantizer.quantize(GraphQuantizer.parse(original, name));
    if (outcome.quantizedNodes() == 0) {
      throw new IllegalArgumentException(
          "model '"
              + name
              + "' has nothing to quantize: "
              + outcome.floatMatMulNodes()
              + " MatMul/Gemm nodes, none with a 2-D float initializer weight of at least"
              + " minWeightElements elements");
    }
    double cosine = Double.NaN;
    if (guard != null) {
      cosine = guard.meanCosine(original, outcome.model());
      if (!(cosine >= guard.minMeanCosine())) {
        throw new AccuracyLossException(
            name, cosine, guard.minMeanCosine(), guard.calibrationSize());
      }
    }
    ModelFiles.write(output, outcome.model(), "quantized model");
    return new QuantizationResult(
        output,
        outcome.quantizedNodes(),
        outcome.floatMatMulNodes(),
        outcome.weightBytesBefore(),
        outcome.weightBytesAfter(),
        original.length,
        outcome.model().length,
        cosine,
        guard == null ? 0 : guard.calibrationSize());
  }

  /** Settings of an {@link OnnxQuantizer}, each checked when given. */
  public static final class Builder {
    private EmbeddingAccuracyGuard guard;
    private int minWeightElements = 4096;
    private boolean reduceRange;
    private boolean shareActivations = true;
    private boolean fuseSiblings =
        Boolean.parseBoolean(System.getProperty("optimizer.quantize.fuse", "true"));
    private boolean fuseLayerNorm = true;
    private boolean fuseAttention = true;
    private final Set<String> excluded = new HashSet<>();

    private Builder() {}

    /** Compares the quantized model with the float one before it is written. */
    public Builder accuracyGuard(EmbeddingAccuracyGuard guard) {
      Checks.notSetBefore("accuracyGuard", this.guard != null);
      this.guard = Checks.notNull("accuracyGuard", guard);
      return this;
    }

    /** Weights with fewer elements stay float, in {@code [1, 2^31-1]}; default 4096. */
    public Builder minWeightElements(int minWeightElements) {
      this.minWeightElements =
          Checks.inRange("minWeightElements", minWeightElements, 1, Integer.MAX_VALUE);
      return this;
    }

    /**
     * Quantizes weights to 7 bits ({@code [-63, 63]}); default false. Costs accuracy; only for x86
     * CPUs without VNNI, whose uint8 × int8 dot products can saturate.
     */
    public Builder reduceRange(boolean reduceRange) {
      this.reduceRange = reduceRange;
      return this;
    }

    /**
     * Whether each activation is quantized once for all the MatMuls that read it ({@code
     * DynamicQuantizeLinear} + {@code com.microsoft:MatMulIntegerToFloat}, with a following bias
     * {@code Add} folded in); default true. False emits one {@code
     * com.microsoft:DynamicQuantizeMatMul} per node instead.
     */
    public Builder shareActivationQuantization(boolean share) {
      this.shareActivations = share;
      return this;
    }

    /**
     * Whether MatMul + bias projections that read the same activation (an attention layer's query,
     * key and value) are merged into one wider MatMul and a {@code Split} before quantization;
     * default true. Per-column scales make this exact; one wide integer product runs faster than
     * several narrow ones.
     */
    public Builder fuseProjections(boolean fuse) {
      this.fuseSiblings = fuse;
      return this;
    }

    /**
     * Whether each residual {@code Add} + layer normalization is first rewritten into ONNX
     * Runtime's {@code com.microsoft:SkipLayerNormalization} (a bias {@code Add} in front folded
     * in); default true. The arithmetic is unchanged; ONNX Runtime leaves these unfused in models
     * exported below opset 17, and its plain layer-normalization kernel is slow (on
     * all-MiniLM-L6-v2 a fifth of the int8 forward pass). The rewrite speeds up the float model
     * just as much: compare against a float model given the same rewrite by {@link
     * OnnxFusion#fuse(Path, Path)}.
     */
    public Builder fuseLayerNorm(boolean fuse) {
      this.fuseLayerNorm = fuse;
      return this;
    }

    /**
     * Whether each BERT self-attention block (query/key/value projections, heads, softmax of the
     * scaled and masked scores, context) is first rewritten into one {@code
     * com.microsoft:Attention} and then quantized into {@code DynamicQuantizeLinear} + {@code
     * com.microsoft:QAttention}, as ONNX Runtime's Python quantizer does for such models; default
     * true. The projections get int8 weights (per column) and uint8 activations; the two products
     * of activations inside the attention stay float. The operator writes its result in the layout
     * the next layer reads, which removes four {@code Transpose}s per layer. A float model gets the
     * same rewrite from {@link OnnxFusion#fuse(Path, Path)}.
     */
    public Builder fuseAttention(boolean fuse) {
      this.fuseAttention = fuse;
      return this;
    }

    /**
     * Keeps the node named {@code nodeName} (as in the model given to {@code quantize}) in float.
     * The rewrites leave it alone too: an attention block or a group of sibling projections that
     * holds it is not fused, so an excluded query projection keeps its weight and its layer's
     * {@code Attention} rewrite is not made. {@code quantize} fails with an {@link
     * IllegalArgumentException} naming the nearest nodes when no node has this name.
     */
    public Builder excludeNode(String nodeName) {
      excluded.add(Checks.notBlank("excludeNode", nodeName));
      return this;
    }

    /** Builds the quantizer. */
    public OnnxQuantizer build() {
      return new OnnxQuantizer(this);
    }
  }
}
