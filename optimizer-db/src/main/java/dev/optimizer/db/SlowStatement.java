package dev.optimizer.db;

import java.time.Duration;
import java.util.Optional;

/**
 * A statement that took longer than the slow-statement threshold. Carries the sanitized text only;
 * parameter values are never recorded.
 *
 * @param fingerprintId the fingerprint's stable id
 * @param text the whole sanitized text (a long statement's cut only at {@code maxStatementLength}),
 *     unlike {@link StatementStats#text()}: the optimizer keeps no event
 * @param duration how long the execution took
 * @param failed whether it failed
 * @param callSite the first application frame, e.g. {@code com.shop.OrderRepo.find:42}
 */
public record SlowStatement(
    long fingerprintId,
    String text,
    Duration duration,
    boolean failed,
    Optional<String> callSite) {}
