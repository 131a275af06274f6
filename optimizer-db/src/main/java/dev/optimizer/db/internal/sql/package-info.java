/**
 * SQL fingerprinting: a dialect-aware lexer, the normalizer that turns a statement into the text
 * pg_stat_statements would group it by, and the summary that OpenTelemetry's {@code
 * db.query.summary} asks for. Pure Java, no database needed. Not part of the public API.
 */
package dev.optimizer.db.internal.sql;
