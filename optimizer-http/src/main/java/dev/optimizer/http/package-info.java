/**
 * optimizer for HTTP clients: an RFC 9111 cache, coalescing of identical in-flight requests,
 * hedging, an adaptive concurrency limit and retry budgets, as steps of one pipeline. Built on the
 * runtime's cache, coalescer, limiter and controllers. This module is filled by the optimizer-http
 * issue; it builds empty until then.
 */
package dev.optimizer.http;
