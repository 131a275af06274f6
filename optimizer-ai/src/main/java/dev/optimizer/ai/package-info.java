/**
 * optimizer for LLM chains and in-process inference: LangChain4j decorators with exact and semantic
 * caching, coalescing and routing; DJL / ONNX Runtime dynamic batching and quantization. Built on
 * the runtime's batcher, coalescer, cache and judge. This module is filled by the optimizer-ai
 * issues; it builds empty until then.
 */
package dev.optimizer.ai;
