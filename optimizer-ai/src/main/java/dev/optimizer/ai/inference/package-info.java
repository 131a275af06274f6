/**
 * In-process inference: dynamic batching of single calls into real tensor batches ({@link
 * dev.optimizer.ai.inference.InferenceBatcher}), an ONNX Runtime text embedder with padding,
 * attention masks and pooling done in Java ({@link dev.optimizer.ai.inference.onnx}), the
 * LangChain4j and DJL adapters ({@link dev.optimizer.ai.inference.langchain4j}, {@link
 * dev.optimizer.ai.inference.djl}), a byte-bounded result cache ({@link
 * dev.optimizer.ai.inference.cache}), quantized vector search ({@link
 * dev.optimizer.ai.inference.vector}) and dynamic int8 quantization of ONNX models with an accuracy
 * guard ({@link dev.optimizer.ai.inference.quantize}).
 *
 * <p>Framework libraries (LangChain4j, DJL, ONNX Runtime, protobuf) are optional dependencies: each
 * subpackage needs only the framework it adapts.
 */
package dev.optimizer.ai.inference;
