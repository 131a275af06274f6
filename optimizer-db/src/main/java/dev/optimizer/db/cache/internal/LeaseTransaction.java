package dev.optimizer.db.cache.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The transaction books of one connection lease, for the result cache: whether a transaction is
 * open (through JDBC's auto-commit or SQL {@code BEGIN}), its isolation level, and the writes it
 * holds until they commit. A commit invalidates what the transaction wrote; a rollback discards it;
 * whatever cannot be told apart ends as an invalidation, never as none.
 *
 * <p>Used by one thread at a time, like its connection.
 */
final class LeaseTransaction {
  private final ResultCache cache;
  private final Connection connection;
  private Boolean autoCommit; // null: ask the connection
  private int isolation = -1; // -1: ask the connection
  private boolean sqlTransaction;
  private boolean isolationUnknown;
  private boolean wrote;
  private final Set<String> pending = new HashSet<>();
  private final Set<ResultCache.KeyWrite> pendingKeys = new HashSet<>();
  private boolean pendingAll;
  private boolean stateUnknown;

  LeaseTransaction(ResultCache cache, Connection connection) {
    this.cache = cache;
    this.connection = connection;
  }

  /** Whether a transaction is open; true when the connection cannot say. */
  boolean open() {
    if (sqlTransaction || stateUnknown) {
      return true;
    }
    if (autoCommit == null) {
      try {
        autoCommit = connection.getAutoCommit();
      } catch (SQLException | RuntimeException e) {
        return true;
      }
    }
    return !autoCommit;
  }

  /** Whether the open transaction has written: its reads must then see its own writes. */
  boolean wrote() {
    return wrote;
  }

  /**
   * Whether a read may store its result: the isolation level is at most READ COMMITTED (and not
   * changed by SQL the cache does not follow).
   */
  boolean readCommitted() throws SQLException {
    if (isolationUnknown || stateUnknown) {
      return false;
    }
    if (isolation < 0) {
      isolation = connection.getTransactionIsolation();
    }
    return isolation <= Connection.TRANSACTION_READ_COMMITTED;
  }

  /** A write of {@code affected} tables, {@code keys} rows, or everything ({@code all}). */
  Object write(Set<String> affected, Set<ResultCache.KeyWrite> keys, boolean all, SqlCall call)
      throws Throwable {
    if (open()) {
      wrote = true;
      pending.addAll(affected);
      pendingKeys.addAll(keys);
      pendingAll |= all;
      if (!stateUnknown) {
        return call.call();
      }
      // Maybe in a transaction, maybe not: invalidated now (it may have committed) as below, and
      // again when the transaction ends (it may commit later).
    }
    try {
      return call.call();
    } finally {
      cache.invalidate(affected, keys, all);
    }
  }

  /**
   * Several statements in one string were run: a transaction may have begun or ended in it, at an
   * isolation level of its own. Until the next commit or rollback every write is invalidated both
   * at once and at that end (whose rollback then discards nothing), and the isolation is unknown.
   */
  void stateUnknown() {
    stateUnknown = true;
  }

  /** SQL {@code BEGIN} or {@code START TRANSACTION}, whose text {@code sql} is. */
  Object begin(String sql, SqlCall call) throws Throwable {
    sqlTransaction = true;
    isolationUnknown |= sql.toUpperCase(Locale.ROOT).contains("ISOLATION");
    return call.call();
  }

  /** SQL {@code COMMIT}. */
  Object sqlCommit(SqlCall call) throws Throwable {
    try {
      return commit(call);
    } finally {
      sqlEnded();
    }
  }

  /** SQL {@code ROLLBACK}. */
  Object sqlRollback(SqlCall call) throws Throwable {
    try {
      return rollback(call);
    } finally {
      sqlEnded();
    }
  }

  private void sqlEnded() {
    sqlTransaction = false;
    isolationUnknown = false;
  }

  private Object commit(SqlCall call) throws Throwable {
    try {
      return call.call();
    } finally {
      end(true); // a failed commit may still have committed
    }
  }

  /** A whole rollback: when it fails, what was written may have committed after all. */
  private Object rollback(SqlCall call) throws Throwable {
    boolean ok = false;
    try {
      Object r = call.call();
      ok = true;
      return r;
    } finally {
      end(!ok);
    }
  }

  /**
   * A connection method that may end or change the transaction ({@code commit}, {@code rollback},
   * {@code setAutoCommit}, {@code setTransactionIsolation}); any other runs as it is.
   */
  Object connectionCall(String name, Object[] args, SqlCall call) throws Throwable {
    switch (name) {
      case "commit":
        return commit(call);
      case "rollback":
        // To a savepoint (an argument), the transaction's writes stay pending.
        return args == null || args.length == 0 ? rollback(call) : call.call();
      case "setAutoCommit":
        {
          boolean was = open();
          try {
            Object r = call.call();
            autoCommit = (Boolean) args[0];
            return r;
          } catch (Throwable t) {
            autoCommit = null;
            throw t;
          } finally {
            if (was && Boolean.TRUE.equals(args[0]) && !sqlTransaction) {
              end(true); // switching auto-commit on commits
            }
          }
        }
      case "setTransactionIsolation":
        try {
          return call.call();
        } finally {
          isolation = -1;
        }
      default:
        return call.call();
    }
  }

  /** The lease ends: writes still pending (a pool may commit or roll back) are invalidated. */
  void closed() {
    if (pendingAll || !pending.isEmpty() || !pendingKeys.isEmpty()) {
      end(true);
    }
  }

  private void end(boolean keep) {
    if (keep || stateUnknown) {
      cache.invalidate(pending, pendingKeys, pendingAll);
    }
    pending.clear();
    pendingKeys.clear();
    pendingAll = false;
    wrote = false;
    stateUnknown = false;
  }
}
