package dev.optimizer.db;

import java.util.Optional;

/**
 * The same statement run again and again with different parameters within one connection lease —
 * usually a loop that loads related rows one by one where one query (a join or an {@code IN} list)
 * would do.
 *
 * @param fingerprintId the fingerprint's stable id
 * @param text the sanitized text; its first 1,024 characters and {@code " …"} when it is longer, so
 *     that the findings kept for the life of a data source stay small
 * @param executions executions with distinct parameters seen in the lease when it was reported
 * @param callSite the first application frame of the call site
 */
public record NPlusOne(
    long fingerprintId, String text, int executions, Optional<String> callSite) {}
