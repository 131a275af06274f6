/**
 * optimizer for LLM chains and in-process inference. {@link dev.optimizer.ai.AiOptimizer} decorates
 * LangChain4j chat, streaming chat and embedding models with exact response caching (per scope, see
 * {@link dev.optimizer.ai.AiScope}), coalescing, routing, budgets, retries, circuit breakers and
 * fallbacks; {@code dev.optimizer.ai.inference} holds DJL / ONNX Runtime dynamic batching and
 * quantization. Built on the runtime's coalescer, cache and retry budget.
 */
package dev.optimizer.ai;
