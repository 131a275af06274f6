package dev.optimizer.db.cache;

import java.util.Set;

/**
 * A query worth caching, as the traffic so far suggests: how often it ran, how often with
 * parameters already seen, and how often the tables it reads were written.
 *
 * <p>{@code expectedHitRate} is a rough estimate: the share of reads that repeat an earlier
 * parameter set, {@code 1 − distinctParameters / reads}, discounted by the share of writes among
 * the accesses to its tables, {@code reads / (reads + tableWrites)} — each write may cost a miss.
 *
 * @param fingerprintId the fingerprint's stable id (of the whole text)
 * @param text the sanitized text, cut as {@link dev.optimizer.db.StatementStats#text()} is: its
 *     first 4,096 characters and {@code " …"} when longer, so that up to 2,000 candidates per data
 *     source stay small; two statements that differ only past the cut have the same text here and
 *     different ids
 * @param tables the tables it reads
 * @param reads executions seen
 * @param distinctParameters distinct parameter sets seen (estimated)
 * @param tableWrites writes seen to any of its tables (and statements that may write anything)
 * @param expectedHitRate the estimated hit rate, in [0, 1]
 */
public record CacheCandidate(
    long fingerprintId,
    String text,
    Set<String> tables,
    long reads,
    long distinctParameters,
    long tableWrites,
    double expectedHitRate) {}
