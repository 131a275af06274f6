/**
 * optimizer for HTTP clients: an RFC 9111 cache, coalescing of identical in-flight requests,
 * hedging, an adaptive concurrency limit, retries with a shared budget and a per-host circuit
 * breaker, as steps of one transport-neutral pipeline (cache → coalesce → limit → retry → hedge →
 * breaker → transport). Built on the runtime's cache, coalescer, limiter and controllers. The entry
 * point is {@link dev.optimizer.http.HttpOptimizer}.
 */
package dev.optimizer.http;
