package dev.optimizer.db;

import java.util.Optional;

/**
 * The same single-row INSERT, UPDATE or DELETE executed one by one, again and again, within one
 * connection lease — a loop that could send its rows as one JDBC batch ({@code addBatch} / {@code
 * executeBatch}), which the driver can rewrite into multi-row statements.
 *
 * @param fingerprintId the fingerprint's stable id
 * @param text the sanitized text; its first 1,024 characters and {@code " …"} when it is longer, so
 *     that the findings kept for the life of a data source stay small
 * @param executions single executions seen in the lease when it was reported
 * @param inTransaction whether the loop ran inside a transaction (auto-commit off)
 * @param callSite the first application frame of the call site
 * @param driverSetting the driver setting that rewrites batches for this database, if known
 */
public record WriteLoop(
    long fingerprintId,
    String text,
    int executions,
    boolean inTransaction,
    Optional<String> callSite,
    Optional<String> driverSetting) {}
