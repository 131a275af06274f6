/**
 * Dynamic int8 quantization of ONNX models with an accuracy guard: {@link
 * dev.optimizer.ai.inference.quantize.OnnxQuantizer}, {@link
 * dev.optimizer.ai.inference.quantize.EmbeddingAccuracyGuard} and the {@code quantize} command
 * ({@link dev.optimizer.ai.inference.quantize.QuantizeCommand}).
 */
package dev.optimizer.ai.inference.quantize;
