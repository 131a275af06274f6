package dev.optimizer.db.advisor;

/**
 * A statement whose plan reads a whole table with a sequential scan.
 *
 * @param fingerprintId the statement's fingerprint
 * @param text its sanitized text
 * @param table the table scanned
 * @param rows the table's estimated rows
 */
public record FullScan(long fingerprintId, String text, String table, double rows) {}
