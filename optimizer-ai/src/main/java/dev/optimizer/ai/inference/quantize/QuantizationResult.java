package dev.optimizer.ai.inference.quantize;

import java.nio.file.Path;

/**
 * What {@link OnnxQuantizer#quantize(Path, Path)} did.
 *
 * @param output the file written
 * @param quantizedNodes MatMul/Gemm nodes rewritten to int8
 * @param matMulNodes MatMul/Gemm nodes in the model (quantized or not)
 * @param weightBytesBefore bytes of the float weights that were quantized
 * @param weightBytesAfter bytes of their int8 weights and scales
 * @param modelBytesBefore size of the input model
 * @param modelBytesAfter size of the output model
 * @param meanCosine mean cosine between the quantized and the float model's outputs on the
 *     calibration set, or {@code NaN} when no accuracy guard was set
 * @param calibrationSize calibration inputs the guard compared (0 without a guard)
 */
public record QuantizationResult(
    Path output,
    int quantizedNodes,
    int matMulNodes,
    long weightBytesBefore,
    long weightBytesAfter,
    long modelBytesBefore,
    long modelBytesAfter,
    double meanCosine,
    int calibrationSize) {}
