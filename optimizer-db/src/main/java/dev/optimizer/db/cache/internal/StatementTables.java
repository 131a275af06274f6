package dev.optimizer.db.cache.internal;

import java.util.Set;

/**
 * What the result cache needs to know about one fingerprint: whether it reads or writes, which
 * tables (lower-case, unqualified), and, for reads, why it may not be cached.
 *
 * @param kind what executing the statement does to cached results
 * @param tables tables read (for {@link Kind#READ}) or written (for {@link Kind#WRITE})
 * @param notCacheable why a read may never be cached, or {@code null} when it may
 * @param temporaryTable the temporary table a {@code CREATE TEMP TABLE} creates, or {@code null}
 */
public record StatementTables(
    Kind kind, Set<String> tables, String notCacheable, String temporaryTable) {

  /** What a statement does, as far as the cache is concerned. */
  public enum Kind {
    /** A query: a candidate for the cache when {@code notCacheable} is null. */
    READ,
    /** Writes the listed tables. */
    WRITE,
    /** May write anything (DDL, a procedure call, a statement we cannot parse). */
    WRITE_ALL,
    /** Changes the session (SET, RESET, SET ROLE): what the connection reads may differ now. */
    SESSION,
    /**
     * May write anything and change the session ({@code set_config} in a write): both {@link
     * #WRITE_ALL} and {@link #SESSION}.
     */
    WRITE_ALL_SESSION,
    /**
     * May write anything and may change the session through code the cache cannot read (a function
     * of the application, a procedure, a DO block, a cursor's FETCH): the connection is left out of
     * the cache until its session is seen unchanged ({@link SessionState}).
     */
    WRITE_ALL_MAYBE_SESSION,
    /**
     * Several statements in one string ({@code BEGIN; UPDATE ..; COMMIT}): may write anything,
     * change the session, and begin or end a transaction, which the lease can no longer follow.
     */
    SEVERAL,
    /** Starts a transaction in SQL text (BEGIN, START TRANSACTION). */
    BEGIN,
    /** Ends a transaction in SQL text, keeping its writes (COMMIT, END). */
    COMMIT,
    /** Ends a transaction in SQL text, discarding its writes (ROLLBACK without TO). */
    ROLLBACK,
    /** Neither reads cached tables nor writes (SHOW, SAVEPOINT, ...). */
    NEUTRAL
  }

  static StatementTables read(Set<String> tables, String notCacheable) {
    return new StatementTables(Kind.READ, Set.copyOf(tables), notCacheable, null);
  }

  static StatementTables write(Set<String> tables) {
    return new StatementTables(Kind.WRITE, Set.copyOf(tables), "a write", null);
  }

  static StatementTables of(Kind kind, String why) {
    return new StatementTables(kind, Set.of(), why, null);
  }
}
