package dev.optimizer.http.internal;

import dev.optimizer.http.RemoteCacheSettings;
import dev.optimizer.http.internal.hedge.HedgeStep;
import dev.optimizer.http.internal.limit.HostLimit;
import dev.optimizer.http.internal.retry.BreakerStep;
import dev.optimizer.http.internal.retry.RetryStep;
import java.time.Duration;
import java.util.List;

/** The checked, immutable settings of an HttpOptimizer; {@code cacheRemote} may be null. */
public record HttpSettings(
    String name,
    boolean cache,
    boolean sharedCache,
    RemoteCacheSettings cacheRemote,
    long cacheMaxBytes,
    int cacheMaxVariants,
    Duration cacheMaxRetention,
    Duration heuristicFreshnessCap,
    boolean coalescing,
    boolean hedging,
    HedgeStep.Settings hedge,
    int maxAttempts,
    RetryStep.Settings retry,
    double budgetRatio,
    int budgetReserve,
    boolean adaptiveLimit,
    HostLimit.Settings limit,
    boolean circuitBreaker,
    BreakerStep.Settings breaker,
    long maxResponseBodyBytes,
    List<String> identityFields) {}
