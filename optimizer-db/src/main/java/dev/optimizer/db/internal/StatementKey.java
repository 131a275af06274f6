package dev.optimizer.db.internal;

/**
 * What the wrapper needs to know about a statement's text: its fingerprint and the names the
 * OpenTelemetry database conventions ask for. Never holds a literal value.
 *
 * @param id the fingerprint's stable id
 * @param text the sanitized, normalized text (literals and bind markers as {@code ?})
 * @param operation e.g. {@code SELECT}; empty when unknown
 * @param collection the main table; empty when unknown
 * @param summary a low-cardinality summary such as {@code SELECT users}
 */
public record StatementKey(
    long id, String text, String operation, String collection, String summary) {}
